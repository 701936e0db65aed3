from django.core.paginator import Paginator
from django.db import connections
from django.db.models.expressions import RawSQL
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """Counts at most `cap` results: "1,000+ members" costs a few milliseconds at 50,000
    members, where an exact count of a common word costs tens. Pages stay reachable up to
    the cap; narrowing the search shows exact numbers again.

    `object_list` is the matches, ordered by plain field names. `rows`, a `.values()`
    queryset, is where a page's rows are read from once their ids are known: joining before
    limiting made PostgreSQL join every match (hundreds for a common word) to keep 24.

    On PostgreSQL a page is one statement (`_page_rows_postgresql`). It takes the capped
    count first and picks the cheap path by it: with at most `cap` matches they are all in
    hand and are sorted; with more, matches are at least 2% of a 50,000-member community, so
    walking the name index finds a page within a few thousand entries. The planner cannot choose
    this itself: its estimates for prefix searches are off by several times, and a wrong
    pick cost 10-20 ms.
    """

    def __init__(self, object_list, per_page, *, rows, cap: int = 1000, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.rows = rows
        self.cap = cap

    @cached_property
    def count(self) -> int:
        # Without ordering or columns: the database stops after cap + 1 matches.
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    def get_page(self, number):
        try:
            number = max(1, int(number))
        except (TypeError, ValueError):
            number = 1
        # Never past the cap: an edited link must not send a huge OFFSET to the database.
        number = min(number, self.cap // self.per_page + 2)
        rows = self._page_rows(number)
        if number > 1 and number > self.num_pages:
            # Past the end or past the cap (a stale or edited link): the last page, as
            # Paginator.get_page does.
            number = self.num_pages
            rows = self._page_rows(number)
        return self._get_page(rows, number, self)

    def _page_rows(self, number: int) -> list[dict]:
        """The rows on page `number`, filling `count` on the way."""
        if connections[self.object_list.db].vendor == "postgresql":
            return self._page_rows_postgresql(number)
        bottom = (number - 1) * self.per_page
        ids = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        if number == 1 and len(ids) < self.per_page:
            self.count = len(ids)  # a first page that is not full is its own count
        ordering = self.object_list.query.order_by
        return list(self.rows.filter(pk__in=ids).order_by(*ordering)) if ids else []

    def _page_rows_postgresql(self, number: int) -> list[dict]:
        bottom = (number - 1) * self.per_page
        ordering = self.object_list.query.order_by
        if not ordering or not all(isinstance(name, str) for name in ordering):
            raise ValueError("CappedPaginator needs matches ordered by field names.")
        names = ["pk", *(name.lstrip("-") for name in ordering if name.lstrip("-") != "pk")]
        column = {name: f"c{index}" for index, name in enumerate(names)}
        columns = ", ".join(column.values())
        sort = ", ".join(
            f"{column[name.lstrip('-')]} {'DESC' if name.startswith('-') else 'ASC'}"
            for name in ordering
        )
        # The matches with their sort columns, unordered and unlimited: the capped set reads
        # it with a LIMIT, the walk orders it (PostgreSQL flattens the subquery, so the walk
        # still reads the name index in order). One ORM compilation for both.
        matches_sql, matches_params = (
            self.object_list.order_by().values_list(*names).query.sql_with_params()
        )
        rows = (
            self.rows.filter(pk__in=RawSQL("SELECT c0 FROM page", ()))
            .annotate(capped_count=RawSQL("SELECT n FROM total", ()))
            .order_by(*ordering)
        )
        compiler = rows.query.get_compiler(self.rows.db)
        rows_sql, rows_params = compiler.as_sql()
        # Every piece is compiled by the ORM, and every value is a bound parameter.
        sql = f"""
            WITH capped ({columns}) AS MATERIALIZED ({matches_sql} LIMIT %s),
            total AS (SELECT count(*) AS n FROM capped),
            page AS (
                (SELECT c0 FROM capped WHERE (SELECT n FROM total) <= %s
                 ORDER BY {sort} LIMIT %s OFFSET %s)
                UNION ALL
                (SELECT c0 FROM ({matches_sql}) AS walk ({columns})
                 WHERE (SELECT n FROM total) > %s ORDER BY {sort} LIMIT %s OFFSET %s)
            )
            {rows_sql}
        """  # noqa: S608
        params = (
            *matches_params, self.cap + 1,
            self.cap, self.per_page, bottom,
            *matches_params, self.cap, self.per_page, bottom,
            *rows_params,
        )  # fmt: skip
        with connections[self.rows.db].cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        # As QuerySet.values() would: the columns' converters (JSON, dates), then dicts.
        query = rows.query
        keys = [*query.extra_select, *query.values_select, *query.annotation_select]
        result = [dict(zip(keys, row, strict=True)) for row in compiler.results_iter([fetched])]
        if result:
            self.count = result[0]["capped_count"]
        elif number == 1:
            self.count = 0
        return result
