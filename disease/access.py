"""How a view obtains a disease-course record: on patients.access.access_record, the
same 404 for "missing" and "another site's"."""

from __future__ import annotations

from disease.models import BoardEntry, ImagingStudy
from patients.access import access_record


def access_imaging_study(user, study_id) -> ImagingStudy:
    return access_record(
        user,
        ImagingStudy.objects.select_related("patient").prefetch_related("targets"),
        study_id,
        site="patient.site_id",
        noun="imaging study",
    )


def access_board_entry(user, entry_id) -> BoardEntry:
    return access_record(
        user,
        BoardEntry.objects.select_related("patient", "added_by"),
        entry_id,
        site="site_id",
        noun="tumour-board entry",
    )
