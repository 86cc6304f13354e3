"""Pandoc's ``implicit_figures`` and image attributes for markdown-it-py.

A paragraph holding only an image with a caption becomes a ``<figure>`` whose ``<figcaption>``
is the image description rendered as Markdown (emphasis, citations). Every image gets its
intrinsic ``width``/``height`` from the file (so the page does not shift while it loads),
``loading="lazy"`` and ``decoding="async"``. ``{#id .class width=60%}`` after an image is read
with mdit-py-plugins' attribute grammar.

Token stream of a figure::

    figure_open (id)  inline [image]  figcaption (meta: id, image)  figure_close
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from html import escape
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.attrs.parse import ParseError, parse

from briefgen.errors import Diagnostic, Location, Severity
from briefgen.markdown.env import report
from briefgen.markdown.tokens import plain_text

if TYPE_CHECKING:
    from markdown_it.utils import OptionsDict

IMAGE_ATTRIBUTES = ("id", "class", "width", "height")
"""What ``{...}`` after an image may set; anything else (``style``, ``on*``) is dropped."""

_ATTRIBUTE_BLOCK = re.compile(r"\{(?:\"(?:\\.|[^\"\\])*\"|[^\"{}])*\}")
# Pandoc allows any bare value (``width=60%``, ``width=3.5em``); the attrs grammar allows only
# ``[A-Za-z0-9_:-]``, so bare values are quoted before it reads them. Quoted strings are
# matched first so that an ``=`` inside one is left alone.
_BARE_VALUE = re.compile(r"\"(?:\\.|[^\"\\])*\"|=([^\s\"'{}]+)")
_SIZE = re.compile(r"(?P<number>\d+(?:\.\d+)?|\.\d+)(?P<unit>px|%|em|in|cm)?")


def figures_plugin(md: MarkdownIt) -> None:
    """Register image attributes, figures and image sizes on ``md``."""
    md.inline.ruler.push("image_attributes", _image_attributes)
    md.core.ruler.after("inline", "figures", _figures)
    md.add_render_rule("image", _render_image)
    md.add_render_rule("figcaption", _render_figcaption)


def crossref_title(env: Any, identifier: str | None) -> str:
    """``<span class="crossref-title">Figure 1:</span> `` when the id is numbered, else ``""``."""
    title = env.get("crossref_titles", {}).get(identifier) if identifier else None
    return f'<span class="crossref-title">{escape(title)}:</span> ' if title else ""


def warn(env: Any, line: int | None, message: str) -> None:
    """Record a warning at a 0-based line of the Markdown body, beside the errors."""
    path = env.get("path", Path("<string>"))
    where = Location(path, None if line is None else line + env.get("line_offset", 0) + 1)
    env.setdefault("errors", []).append(Diagnostic(message, where, Severity.WARNING))


def _image_attributes(state: StateInline, silent: bool) -> bool:
    """``{#id .class key=value}`` directly after an image (several blocks merge)."""
    if state.pending or not state.tokens or state.tokens[-1].type != "image":
        return False
    match = _ATTRIBUTE_BLOCK.match(state.src, state.pos, state.posMax)
    if match is None:
        return False
    quoted = _BARE_VALUE.sub(lambda m: m[0] if m[1] is None else f'="{m[1]}"', match[0])
    try:
        end, attributes = parse(quoted)
    except ParseError:
        return False
    if end != len(quoted) - 1:
        return False
    if not silent:
        image = state.tokens[-1]
        for key, value in attributes.items():
            if key not in IMAGE_ATTRIBUTES:
                image.meta.setdefault("dropped_attributes", []).append(key)
            elif key == "class" and "class" in image.attrs:
                image.attrs["class"] = f"{image.attrs['class']} {value}"
            else:
                image.attrs[key] = value
    state.pos = match.end()
    return True


def _figures(state: StateCore) -> None:
    tokens = state.tokens
    for block in tokens:
        if block.type == "inline" and block.children:
            first_line = block.map[0] if block.map else None
            for image, breaks in _images(block.children):
                line = None if first_line is None else first_line + breaks
                _prepare_image(image, state.env, line)
    # Backwards, so the token each figure adds does not shift the ones still to visit.
    for i in range(len(tokens) - 2, 0, -1):
        children = tokens[i].children
        if (
            tokens[i].type == "inline"
            and children
            and len(children) == 1
            and children[0].type == "image"
            and plain_text(children[0].children or ())
            and tokens[i - 1].type == "paragraph_open"
            and tokens[i + 1].type == "paragraph_close"
        ):
            _make_figure(tokens, i, children[0])


def _images(children: Sequence[Token]) -> Iterator[tuple[Token, int]]:
    """Each image in a paragraph, with the line breaks before it (its line within the block)."""
    breaks = 0
    for token in children:
        if token.type in ("softbreak", "hardbreak"):
            breaks += 1
        elif token.type == "image":
            yield token, breaks


def _make_figure(tokens: list[Token], index: int, image: Token) -> None:
    """Turn ``paragraph_open inline paragraph_close`` at ``index`` into a figure."""
    paragraph = tokens[index - 1]
    identifier = str(image.attrs.pop("id", "")) or None
    figure_open = Token("figure_open", "figure", 1, map=paragraph.map, level=paragraph.level)
    figure_open.block = True
    if identifier:
        figure_open.attrs["id"] = identifier
    # The caption is announced once. Pandoc hides the figcaption (aria-hidden) when it repeats
    # the alt, but ours holds citation links, which would stay focusable yet be silent. So the
    # figcaption is read (it also names the figure) and the image, whose alt is the same words
    # as plain text, is hidden instead; its alt still shows when the image fails to load.
    image.attrs["aria-hidden"] = "true"
    caption = Token("figcaption", "figcaption", 0, level=paragraph.level + 1)
    caption.block = True
    caption.meta = {"id": identifier, "image": image}
    figure_close = Token("figure_close", "figure", -1, level=paragraph.level)
    figure_close.block = True
    tokens[index - 1] = figure_open
    tokens[index + 1 : index + 2] = [caption, figure_close]


def _prepare_image(image: Token, env: Any, line: int | None) -> None:
    """Validate the source and sizes; set width/height, lazy loading, and the style."""
    for key in image.meta.pop("dropped_attributes", ()):
        warn(
            env,
            line,
            f"image attribute '{key}' is not supported and was dropped; "
            "expected id, class, width or height",
        )
    pixels: dict[str, int] = {}
    style: dict[str, str] = {}
    for dimension in ("width", "height"):
        value = image.attrs.pop(dimension, None)
        if value is None:
            continue
        match = _SIZE.fullmatch(str(value).strip())
        if match is None:
            report(
                env,
                line,
                f"image {dimension} '{value}' is not a size; "
                "expected a number with an optional unit px, %, em, in or cm",
            )
        elif match["unit"] in (None, "px"):
            pixels[dimension] = round(float(match["number"]))
        else:
            style[dimension] = f"{match['number']}{match['unit']}"
    intrinsic = _intrinsic_size(str(image.attrs.get("src", "")), env, line)
    if intrinsic is not None:
        width, height = intrinsic
        if "width" in pixels and "height" not in pixels and "height" not in style:
            pixels["height"] = round(pixels["width"] * height / width)
        elif "height" in pixels and "width" not in pixels and "width" not in style:
            pixels["width"] = round(pixels["height"] * width / height)
        elif not pixels:
            pixels = {"width": width, "height": height}
            if "height" in style and "width" not in style:
                # The width attribute would fix the width and distort the image; auto keeps
                # the ratio the attributes give.
                style["width"] = "auto"
    ordered: dict[str, str | int | float] = {
        key: image.attrs[key]
        for key in ("src", "alt", "title", "id", "class")
        if key in image.attrs
    }
    ordered.update({key: str(pixels[key]) for key in ("width", "height") if key in pixels})
    ordered["loading"] = "lazy"
    ordered["decoding"] = "async"
    if style:
        ordered["style"] = ";".join(
            f"{key}:{style[key]}" for key in ("width", "height") if key in style
        )
    image.attrs = ordered


def _intrinsic_size(src: str, env: Any, line: int | None) -> tuple[int, int] | None:
    """The image file's pixel size; None for remote or unreadable images. Reports bad paths."""
    folder = _folder(env)
    url = urlsplit(src)
    given = unquote(src)
    if url.scheme in ("http", "https"):
        return None
    if url.scheme or url.netloc:
        report(
            env,
            line,
            f"image '{given}' is not a file in the brief's folder; "
            f"expected a path relative to {folder} or an http(s) URL",
        )
        return None
    path = unquote(url.path)
    if not path:
        report(env, line, f"image has no path; expected a file in {folder}")
        return None
    if path.startswith("/"):
        report(
            env,
            line,
            f"image '{given}' is an absolute path; expected a path relative to {folder}",
        )
        return None
    if _escapes(PurePosixPath(path)):
        report(
            env,
            line,
            f"image '{given}' is outside the brief's folder; expected it in {folder} or below",
        )
        return None
    bundle: Path | None = env.get("bundle")
    if bundle is None:
        return None
    file = bundle / path
    if not file.is_file():
        report(
            env,
            line,
            f"image '{given}' not found; expected it in {folder} beside the section files",
        )
        return None
    if not file.resolve().is_relative_to(bundle.resolve()):
        report(
            env,
            line,
            f"image '{given}' links outside the brief's folder; expected a file in {folder}",
        )
        return None
    # Imported here: it pulls in urllib and ssl, which parsing alone never needs.
    import imagesize  # type: ignore[import-untyped]

    width, height = imagesize.get(file)
    if width <= 0 or height <= 0:
        return None
    return round(width), round(height)


def _escapes(path: PurePosixPath) -> bool:
    depth = 0
    for part in path.parts:
        depth += -1 if part == ".." else 0 if part == "." else 1
        if depth < 0:
            return True
    return False


def _folder(env: Any) -> str:
    """The brief's folder as the user knows it (beside the section file), for messages."""
    path = env.get("path")
    if path is None:
        return "the brief's folder"
    return f"{path.parent.as_posix()}/"


def _render_image(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any
) -> str:
    token = tokens[idx]
    token.attrSet("alt", plain_text(token.children or ()))
    return str(self.renderToken(tokens, idx, options, env))


def _render_figcaption(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any
) -> str:
    token = tokens[idx]
    caption = self.renderInline(token.meta["image"].children or [], options, env)
    return f"<figcaption>{crossref_title(env, token.meta['id'])}{caption}</figcaption>"
