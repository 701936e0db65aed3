from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """Counts at most `cap` results: "1,000+ members" costs a few milliseconds at 50,000
    members, where an exact count of a common word costs tens. Pages stay reachable up to
    the cap; narrowing the search shows exact numbers again."""

    def __init__(self, object_list, per_page, *, cap: int = 1000, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        # Without ordering or columns: the database stops after cap + 1 matches.
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap
