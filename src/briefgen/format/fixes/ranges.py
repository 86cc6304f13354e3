"""Ranges: page-range-format, date ranges, seasons."""

from __future__ import annotations

from typing import Any

from briefgen.format.fixes.registry import _fix, _model

# Page ranges -----------------------------------------------------------------------------------


def _common_prefix_length(first: str, second: str) -> int:
    length = 0
    for a, b in zip(first, second, strict=False):
        if a != b:
            break
        length += 1
    return length


def _minimal_last(first: str, last: str, threshold: int) -> str:
    """The digits of ``last`` that differ from ``first``, but at least ``threshold`` of them."""
    common = _common_prefix_length(first, last)
    if common == 0 or len(first) != len(last):
        return last
    rest = last[common:]
    if len(rest) < threshold <= len(last):
        return last[-threshold:]
    return rest


def _range_last_page(first: str, last: str, range_format: str | None) -> str:
    """The second page of the range ``first``–``last`` as ``page-range-format`` prints it."""
    prefix = first.rstrip("0123456789")
    if range_format is None or prefix != last.rstrip("0123456789") or first == prefix:
        return last
    x, y = first[len(prefix):], last[len(prefix):]
    if len(y) < len(x):  # "321-28" is 321–328
        y = x[: len(x) - len(y)] + y
    if range_format == "expanded":
        return prefix + y
    if range_format == "minimal":
        return _minimal_last(x, y, 1)
    if range_format == "minimal-two":
        return _minimal_last(x, y, 2)
    if range_format in ("chicago", "chicago-15", "chicago-16"):
        if len(x) < 3 or x.endswith("00"):
            return y
        if x[-2:-1] == "0" and y[-2:-1] == "0":
            return _minimal_last(x, y, 1)
        changed = sum(a != b for a, b in zip(x.ljust(len(y)), y, strict=False))
        if range_format != "chicago-16" and len(x) == 4 and changed >= 3:
            return y
        return _minimal_last(x, y, 2)
    return last


@_fix("page-range-format")
def _page_range_format() -> list[tuple[type[Any], str, Any]]:
    """``page-range-format`` follows the CSL rules: "1369–401", "1–14", "321–28".

    CSL 1.0.2, *Appendix V: Page Range Formats*: "chicago-16" abbreviates 1369–1401 to
    "1369–401" (it dropped chicago-15's rule that keeps all four digits when three change;
    "chicago" is chicago-15); "minimal-two" keeps at least two digits, so "1–14" stays whole.
    citeproc-py applies the four-digit rule to chicago-16 too ("1369–1401"), and its
    minimal-two cuts a range from a one-digit page to its last digit ("1–4" for "1–14"). It
    also leaves an abbreviated input ("321-28") as written under "expanded". We follow the
    appendix as Pandoc's citeproc implements it.
    """
    model = _model()

    def format_last_page(self: Any, first: Any, last: Any) -> Any:
        range_format = self.get_root().get_option("page-range-format")
        return _range_last_page(str(first), str(last), range_format)

    return [(model.FormatNumber, "_format_last_page", format_last_page)]


# Date ranges -----------------------------------------------------------------------------------

_DATE_UNITS = ("year", "month", "day")  # largest first
# True while a date renders for a sort key (innermost last).
_date_sort_keys: list[bool] = []


@_fix("date-ranges")
def _date_ranges() -> list[tuple[type[Any], str, Any]]:
    """A date range prints the parts both dates share once, and the differing ones as a range.

    CSL 1.0.2, *Date-part* (``range-delimiter``): the delimiter of a date range is taken from
    "the date-part of the largest date part (year, month, or day) that differs between the two
    dates", and the shared parts are rendered once ("1-4 May 2008", "May 1-4, 2008").
    citeproc-py renders the differing parts with their suffixes before the en dash and puts
    the shared parts last, whatever their place in the date: "November 30,–December 12, 2023"
    and "5,–7, March 2021" for "November 30–December 12, 2023" and "March 5–7, 2021". We split
    the date parts, in the order the style prints them, into the shared ones before, the run of
    differing ones (printed for both dates, without the suffix before the delimiter or the
    prefix after it), and the shared ones after, as Pandoc's citeproc does. As a sort key
    (``cs:key macro``) a range keeps both dates whole, so it sorts after its start date alone.
    """
    model = _model()
    render_date_range = model.Date.render_date_range
    date_process = model.Date.process
    VariableError = model.VariableError

    def render_part(
        part: Any, date: Any, context: Any, *, prefix: bool = True, suffix: bool = True
    ) -> Any:
        try:
            text = part.process(date, context)
        except VariableError:
            return None
        dropped = {
            key: part.attrib.pop(key)
            for key, keep in (("prefix", prefix), ("suffix", suffix))
            if not keep and key in part.attrib
        }
        try:
            return part.markup(text)
        finally:
            part.attrib.update(dropped)

    def has_part(date: Any, part: Any) -> bool:
        name = part.get("name")
        return date.get(name) is not None or (name == "month" and date.get("season") is not None)

    def render_date_range_(
        self: Any, date_range: Any, show_parts: Any = None, context: Any = None
    ) -> Any:
        begin, end = date_range.begin, date_range.get("end")
        if end is None or end.is_nil() or show_parts is None:
            return render_date_range(self, date_range, show_parts, context)
        part_context = context if context is not self else None
        parts = [part for part in self.iterchildren() if part.get("name") in show_parts]
        shown = [unit for unit in _DATE_UNITS if any(p.get("name") == unit for p in parts)]
        same: set[str] = set()
        for unit in shown:
            if begin.get(unit) != end.get(unit) or (_date_sort_keys and _date_sort_keys[-1]):
                break
            same.add(unit)
        index = 0
        while index < len(parts) and parts[index].get("name") in same:
            index += 1
        stop = index
        while stop < len(parts) and parts[stop].get("name") not in same:
            stop += 1
        before, differing, after = parts[:index], parts[index:stop], parts[stop:]
        output = [render_part(part, begin, part_context) for part in before]
        if differing:
            # The affixes dropped are those of the parts each date has (a day-less date ends
            # with its month).
            shown_begin = [part for part in differing if has_part(begin, part)]
            shown_end = [part for part in differing if has_part(end, part)]
            left = [
                render_part(part, begin, part_context, suffix=part is not shown_begin[-1])
                for part in shown_begin
            ]
            right = [
                render_part(part, end, part_context, prefix=part is not shown_end[0])
                for part in shown_end
            ]
            left = [text for text in left if text is not None]
            right = [text for text in right if text is not None]
            largest = min(differing, key=lambda part: _DATE_UNITS.index(part.get("name")))
            delimiter = largest.get("range-delimiter")
            dash = self.preformat(delimiter) if delimiter else self.unicode_character("EN DASH")
            if left and right:
                output += [*left[:-1], left[-1] + dash + right[0], *right[1:]]
            else:
                output += left + right
        after = [part for part in after if has_part(begin, part)]
        if after:
            output += [render_part(part, begin, part_context) for part in after[:-1]]
            output.append(render_part(after[-1], begin, part_context, suffix=False))
        output = [text for text in output if text]
        if not output:
            return None
        # The delimiter of the cs:date holding the parts: a localized date's own (citeproc-py
        # reads it from the style's cs:date, which may not set one).
        return self.join(output)

    def date_process_(self: Any, item: Any, *args: Any, **kwargs: Any) -> Any:
        _date_sort_keys.append(kwargs.get("sort_options") is not None)
        try:
            return date_process(self, item, *args, **kwargs)
        finally:
            _date_sort_keys.pop()

    return [
        (model.Date, "render_date_range", render_date_range_),
        (model.Date, "process", date_process_),
    ]


# Seasons ---------------------------------------------------------------------------------------


def _season(month: Any) -> int | None:
    """The season (1–4) a CSL-JSON pseudo-month stands for: 13–16 and 21–24 (else None)."""
    if not isinstance(month, int):
        return None
    for first in (13, 17, 21):
        if first <= month < first + 4:
            return month - first + 1
    return None


@_fix("season-months")
def _season_months() -> list[tuple[type[Any], str, Any]]:
    """A month of 13–24 in CSL-JSON is a season: "Spring 1999".

    CSL 1.0.2, *Terms* (Seasons): the terms "season-01" to "season-04" name the seasons, and
    CSL-JSON writes a season in the month position (21–24, and 13–16 in older data), as
    citeproc-js and Pandoc's citeproc read it. citeproc-py looks up a term "month-21" that does
    not exist and prints nothing: "1999" for "Spring 1999". We render such a month part with
    the season's term.
    """
    model = _model()
    from citeproc.source import Date as DateData

    date_part_process = model.Date_Part.process

    def date_part_process_(self: Any, date: Any, context: Any = None) -> Any:
        season = _season(date.get("month")) if self.get("name") == "month" else None
        if season is not None:
            date = DateData(year=date.get("year", 0), season=season)
        return date_part_process(self, date, context)

    return [(model.Date_Part, "process", date_part_process_)]
