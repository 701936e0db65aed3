"""Model instances to and from hand-written SQL, for the few statements that run on nearly
every request (the access check, loading an event) or while a row lock is held
(registration).

Building and compiling an ORM query costs about 0.3 ms of CPU on the development machine,
more than running a lookup by key. These statements are written once per process from the
models' own metadata (tables, columns, field conversions), so they follow the models as
they change, and are then only executed. Everything else uses the ORM.

Identifiers are quoted the ANSI way ("name"), which PostgreSQL and SQLite both read.
"""

from django.db import connections
from django.db.models import Model


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Columns:
    """Every concrete column of `model` under a table alias, and the instances read back.

    `Columns(Event, "e").sql` is `e."id", e."community_id", ...` for a SELECT list;
    `.instance(row, start)` builds the model from `row[start:start + len(columns)]` as the
    ORM would (the fields' database converters applied, the instance marked as saved).
    """

    def __init__(self, model: type[Model], alias: str):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.names = [field.attname for field in self.fields]
        self.alias = alias
        self.sql = ", ".join(f"{alias}.{quoted(field.column)}" for field in self.fields)
        self.table = quoted(model._meta.db_table)
        self._converters: dict[str, list] = {}

    def __len__(self) -> int:
        return len(self.fields)

    def column(self, name: str) -> str:
        """A field's column under the alias: `Columns(Event, "e").column("community")` is
        `e."community_id"`."""
        return f"{self.alias}.{quoted(self.model._meta.get_field(name).column)}"

    def converters(self, using: str) -> list[tuple[int, list, object]]:
        """(index, converters, column) for the fields that convert what the database sends
        (a JSON field on PostgreSQL, for one); read once per database connection alias."""
        if using not in self._converters:
            connection = connections[using]
            found = []
            for index, field in enumerate(self.fields):
                column = field.get_col(self.model._meta.db_table)
                functions = connection.ops.get_db_converters(column) + column.get_db_converters(
                    connection
                )
                if functions:
                    found.append((index, functions, column))
            self._converters[using] = found
        return self._converters[using]

    def instance(self, row, start: int = 0, *, using: str = "default") -> Model:
        values = list(row[start : start + len(self.fields)])
        connection = connections[using]
        for index, functions, column in self.converters(using):
            for function in functions:
                values[index] = function(values[index], column, connection)
        return self.model.from_db(using, self.names, values)


def insert_statement(instance: Model, *, using: str = "default") -> tuple[str, list]:
    """`INSERT ... RETURNING` the new primary key, for an unsaved instance with an automatic
    key: its concrete fields' values prepared as `save()` would (`auto_now_add` included).
    Generated columns are left to the database; a field with a database default is refused,
    as the value `save()` would leave out cannot be told apart here."""
    meta = instance._meta
    fields, values = _insert_values(instance, using)
    columns = ", ".join(quoted(field.column) for field in fields)
    holders = ", ".join(["%s"] * len(fields))
    sql = (
        f"INSERT INTO {quoted(meta.db_table)} ({columns}) VALUES ({holders}) "  # noqa: S608
        f"RETURNING {quoted(meta.pk.column)}"
    )
    return sql, values


class InsertSelect:
    """`INSERT ... SELECT ... FROM <source> RETURNING <returning>` into `model`'s table, its
    text written once (build one per process and keep it): like `insert_statement`, except
    that the fields named in `expressions` take an SQL expression over `source` (a WITH
    query of the caller's statement) instead of the instance's value. The expressions are
    the caller's own SQL; every value is a bound parameter, from `params(instance)`."""

    def __init__(
        self, model: type[Model], *, source: str, expressions: dict[str, str], returning: str
    ):
        meta = model._meta
        self.fields = _insert_fields(model)
        unknown = set(expressions) - {field.name for field in self.fields}
        if unknown:
            raise ValueError(f"InsertSelect: no such column to write: {unknown}")
        selects = [expressions.get(field.name, "%s") for field in self.fields]
        columns = ", ".join(quoted(field.column) for field in self.fields)
        self.sql = (
            f"INSERT INTO {quoted(meta.db_table)} ({columns}) "  # noqa: S608
            f"SELECT {', '.join(selects)} FROM {source} RETURNING {returning}"
        )
        self._is_bound = [field.name not in expressions for field in self.fields]

    def params(self, instance: Model, *, using: str = "default") -> list:
        """The bound values for `instance`, prepared as `save()` would (every field's
        `pre_save` runs, so `auto_now_add` fields get their moment on the instance too)."""
        connection = connections[using]
        values = [field.pre_save(instance, add=True) for field in self.fields]
        return [
            field.get_db_prep_save(value, connection)
            for field, value, bound in zip(self.fields, values, self._is_bound, strict=True)
            if bound
        ]


def _insert_fields(model: type[Model]) -> list:
    """The fields an INSERT writes: concrete, neither the automatic key nor generated."""
    meta = model._meta
    fields = [
        field
        for field in meta.concrete_fields
        if field is not meta.auto_field and not getattr(field, "generated", False)
    ]
    for field in fields:
        if field.has_db_default():
            raise ValueError(f"insert_statement() does not handle {field}'s database default.")
    return fields


def _insert_values(instance: Model, using: str) -> tuple[list, list]:
    connection = connections[using]
    fields = _insert_fields(type(instance))
    values = [
        field.get_db_prep_save(field.pre_save(instance, add=True), connection) for field in fields
    ]
    return fields, values


def mark_saved(instance: Model, pk, *, using: str = "default") -> Model:
    """After `insert_statement` ran: the instance has its key and counts as saved."""
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = using
    return instance
