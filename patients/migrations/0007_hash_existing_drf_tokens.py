"""Existing plain-text DRF tokens become hashed, named, expiring tokens.

Clients keep working with the token they have until it expires
(API_TOKEN_DAYS after this migration); the plain-text table is dropped, so no
token is stored readable any more.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.utils import timezone

PLAIN_TABLE = "authtoken_token"
MIGRATED_NAME = "token from before hashing"


def hash_plain_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if PLAIN_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("patients", "ApiToken")
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id FROM {PLAIN_TABLE}")  # noqa: S608 (a constant)
        rows = cursor.fetchall()
    for key, user_id in rows:
        ApiToken.objects.create(
            user_id=user_id,
            name=MIGRATED_NAME,
            digest=hashlib.sha256(key.encode()).hexdigest(),
            prefix=key[:8],
            created_at=now,
            expires_at=now + timedelta(days=settings.API_TOKEN_DAYS),
        )
    schema_editor.execute(f"DROP TABLE {PLAIN_TABLE}")


class Migration(migrations.Migration):
    dependencies = [("patients", "0006_named_expiring_hashed_api_tokens")]

    operations = [migrations.RunPython(hash_plain_tokens, migrations.RunPython.noop)]
