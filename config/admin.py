"""Admin building blocks shared by the apps."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin


class HistoryAdmin(SimpleHistoryAdmin):
    """simple-history's admin with the history pages read-only: no revert by POST."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied(_("History is read-only; change the record itself."))
        return super().history_form_view(request, object_id, version_id, extra_context)
