from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from briefgen.markdown import create_markdown


@pytest.mark.parametrize(
    "fence",
    [
        pytest.param("~~~ {.python}", id="tildes-space"),
        pytest.param("```{.python}", id="backticks"),
        pytest.param("``` {#code .python .numberLines}", id="id-and-numbered-lines"),
        pytest.param("``` {.numberLines .python}", id="numbered-lines-first"),
        pytest.param("```python", id="bare-word"),
    ],
)
def test_pandoc_attributes_give_the_language(fence: str, pandoc: Callable[..., str]) -> None:
    text = f"{fence}\nx = 1\n{fence[:3]}\n"
    ours = re.search(r'<code class="language-(\w+)"', create_markdown().render(text))
    theirs = re.search(r'<code class="sourceCode (\w+)"', pandoc(text, "-t", "html"))
    assert ours and theirs and ours[1] == theirs[1] == "python"
