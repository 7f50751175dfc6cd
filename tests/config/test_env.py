"""Settings helpers refuse a bad value with a message naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.env import (
    ConfigurationError,
    database_from_url,
    email_from_url,
    env_bool,
    env_int,
    env_list,
    env_time_zone,
    redis_url,
)

BASE = Path("/srv/tracker")


@pytest.mark.parametrize("word", ["maybe", "2", "yes please"])
def test_a_yes_no_variable_refuses_other_words(word):
    with pytest.raises(ConfigurationError, match="DJANGO_DEBUG"):
        env_bool("DJANGO_DEBUG", False, environ={"DJANGO_DEBUG": word})


@pytest.mark.parametrize(("word", "value"), [("1", True), ("off", False), ("TRUE", True)])
def test_a_yes_no_variable_reads_the_usual_words(word, value):
    assert env_bool("X", not value, environ={"X": word}) is value


def test_an_unset_variable_takes_its_default():
    assert env_int("SESSION_IDLE_MINUTES", 30, environ={}) == 30


def test_a_number_variable_refuses_words():
    with pytest.raises(ConfigurationError, match="SESSION_IDLE_MINUTES"):
        env_int("SESSION_IDLE_MINUTES", 30, environ={"SESSION_IDLE_MINUTES": "thirty"})


def test_a_number_variable_refuses_values_below_its_minimum():
    with pytest.raises(ConfigurationError, match="minimum"):
        env_int("SESSION_IDLE_MINUTES", 30, minimum=1, environ={"SESSION_IDLE_MINUTES": "0"})


def test_a_list_variable_refuses_an_empty_entry():
    with pytest.raises(ConfigurationError, match="ALLOWED_HOSTS"):
        env_list("ALLOWED_HOSTS", [], environ={"ALLOWED_HOSTS": "a.example,,b.example"})


def test_a_list_variable_splits_on_commas():
    assert env_list("H", [], environ={"H": "a.example, b.example"}) == ["a.example", "b.example"]


def test_an_unknown_time_zone_is_refused():
    with pytest.raises(ConfigurationError, match="TIME_ZONE"):
        env_time_zone("TIME_ZONE", "UTC", environ={"TIME_ZONE": "Mars/Olympus"})


def test_a_relative_sqlite_url_lives_under_the_project():
    config = database_from_url("sqlite:///var/tracker.sqlite3", base_dir=BASE)
    assert config["NAME"] == "/srv/tracker/var/tracker.sqlite3"


def test_an_absolute_sqlite_url_is_kept():
    config = database_from_url("sqlite:////data/tracker.sqlite3", base_dir=BASE)
    assert config["NAME"] == "/data/tracker.sqlite3"


def test_a_postgres_url_is_read_whole():
    config = database_from_url("postgres://app:s%40cret@db.internal:5433/tracker", base_dir=BASE)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["USER"], config["PASSWORD"], config["HOST"], config["PORT"], config["NAME"]) == (
        "app",
        "s@cret",
        "db.internal",
        "5433",
        "tracker",
    )


@pytest.mark.parametrize(
    "url", ["mysql://x@y/z", "postgres://host:port/db", "postgres://host:5432/", "sqlite://"]
)
def test_a_database_url_the_tracker_cannot_use_is_refused(url):
    with pytest.raises(ConfigurationError, match="DATABASE_URL"):
        database_from_url(url, base_dir=BASE)


def test_mail_defaults_to_files():
    config = email_from_url("file:///var/mail", base_dir=BASE)
    assert config.backend.endswith("filebased.EmailBackend")
    assert config.file_path == "/srv/tracker/var/mail"


def test_an_smtp_url_with_tls():
    config = email_from_url("smtp://alerts:pw@mail.example:587?tls=1", base_dir=BASE)
    assert (config.host, config.port, config.user, config.use_tls) == (
        "mail.example",
        587,
        "alerts",
        True,
    )


@pytest.mark.parametrize("url", ["pigeon://loft", "smtp://:25", "smtp://h:25?tls=maybe"])
def test_a_mail_url_the_tracker_cannot_use_is_refused(url):
    with pytest.raises(ConfigurationError, match="EMAIL_URL"):
        email_from_url(url, base_dir=BASE)


def test_a_broker_url_must_be_redis():
    with pytest.raises(ConfigurationError, match="CELERY_BROKER_URL"):
        redis_url("CELERY_BROKER_URL", environ={"CELERY_BROKER_URL": "amqp://guest@localhost//"})
