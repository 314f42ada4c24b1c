"""Which size fits: the viewer's own measure against the size guide the sheet writes, or no answer of that kind."""

from __future__ import annotations

import pytest

from agent.product import Product, Variant
from agent.reply.fit import buyer_measure, size_for

RAINCOAT = Product("r", "连体雨衣", 59.0, "CNY", variants=tuple(Variant(n, 59.0) for n in ("M", "L", "XL", "XXL")),
                   text="帽檐加宽。尺码参考：M 155-165cm，L 165-175cm，XL 175-185cm，XXL 185cm以上。附送收纳袋。")
HARNESS = Product("h", "Dog Harness", 29.99, "USD",
                  variants=tuple(Variant(n, 29.99) for n in ("S / Navy", "M / Navy", "L / Orange", "XL / Black")),
                  text="Sizing by chest girth: S 17–22 in, M 22–28 in, L 28–34 in, XL 34–40 in.")


@pytest.mark.parametrize(("question", "measure"), [
    ("我180穿啥码", ("len", 180.0)),
    ("一米七五穿什么码", ("len", 175.0)),
    ("je fais 1m68, quelle taille ?", ("len", 168.0)),
    ("1.80 m which size", ("len", 180.0)),
    ("my lab is like 30 inch chest", ("len", 76.2)),
    ("120斤穿多大的", ("mass", 60.0)),
    ("how much is it", None),
])
def test_the_viewers_own_measure(question: str, measure: tuple[str, float] | None) -> None:
    got = buyer_measure(question)
    assert (got is None) if measure is None else (got is not None and got[0] == measure[0]
                                                  and got[1] == pytest.approx(measure[1], abs=0.1))


@pytest.mark.parametrize(("product", "question", "said"), [
    (RAINCOAT, "雨衣我180穿啥码", "XL 175-185cm"),
    (RAINCOAT, "一米六穿哪个码", "M 155-165cm"),
    (RAINCOAT, "我一米九穿什么码", "XXL 185cm以上"),
    (RAINCOAT, "我175穿啥码", None),  # on a boundary two sizes hold it: the sizes on offer are said instead
    (RAINCOAT, "雨衣有什么码", None),  # no measure of the viewer's
    (HARNESS, "harness sizes? my lab is like 30 inch chest", "L 28–34 in"),
    (HARNESS, "my dog is 60 lbs, which size?", None),  # a weight against a guide in chest inches
])
def test_the_size_the_sheets_guide_gives_for_that_measure(product: Product, question: str, said: str | None) -> None:
    fit = size_for(question, product)
    assert (fit is None) if said is None else (fit is not None and fit.said == said)

