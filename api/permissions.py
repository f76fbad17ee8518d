"""Who may see what: statistics and everybody's logs are for staff."""

from rest_framework.permissions import IsAuthenticated


class IsStaff(IsAuthenticated):
    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and bool(request.user.is_staff)
