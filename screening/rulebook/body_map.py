"""The body map (`body_map.yaml` beside `rulebook.yaml`): the front and back figures the form
and the body chart draw, with a shape for each body region.

Optional: a rule book without one asks its body-area questions as a list alone. When there
is one, every region of `body_regions` needs a shape and every shape must name one of those
regions, so a clinic that adds, renames or removes a region is told what to draw.
"""

from __future__ import annotations

import re
from typing import Any

from .types import BodyMap, BodyView, Region, Shape
from .yamlio import Problems, check_id, check_keys, check_mapping, text_field

FILE = "body_map.yaml"
#: SVG path data: commands, numbers, separators; nothing that could end the attribute.
_PATH = re.compile(r"^[Mm][MmLlHhVvCcSsQqTtAaZz0-9.,\s+-]*$")


def load_body_map(data: dict[str, Any], regions: tuple[Region, ...], problems: Problems,
                  file: str) -> BodyMap | None:
    """The body map read from `file` (already parsed), checked against the rule book's
    regions; None, with the problems recorded, when it cannot be used."""
    found = len(problems.items)
    check_keys(data, {"width", "height", "views"}, {"width", "height", "views"}, problems,
               file, "body map")
    width, height = (_size(data.get(key), problems, file, key) for key in ("width", "height"))
    views = data.get("views")
    if not isinstance(views, list) or not views:
        problems.add(file, "views", "expected a list of views (a front and a back figure)")
        views = []
    known = {region.id for region in regions}
    loaded = [_view(item, index, known, problems, file) for index, item in enumerate(views)]
    ids = [view.id for view in loaded if view is not None]
    for view_id in sorted({view_id for view_id in ids if ids.count(view_id) > 1}):
        problems.add(file, "views", f"view '{view_id}' is listed twice")
    drawn = {shape.region for view in loaded if view is not None for shape in view.shapes}
    for region in regions:
        if region.id not in drawn:
            problems.add(file, "views", f"region '{region.id}' ({region.label}) of body_regions "
                         "in rulebook.yaml has no shape: draw one in a view, so the map can "
                         "show it")
    if len(problems.items) > found:
        return None
    return BodyMap(width=width, height=height, views=tuple(loaded))


def _size(value: Any, problems: Problems, file: str, key: str) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return value
    problems.add(file, f"field '{key}'", f"expected a positive number, not {value!r}")
    return 1


def _view(item: Any, index: int, known: set[str], problems: Problems,
          file: str) -> BodyView | None:
    where = f"views[{index}]"
    if not check_mapping(item, {"id", "title", "edges", "shapes"},
                         {"id", "title", "edges", "shapes"}, problems, file, where):
        return None
    if not check_id(item["id"], problems, file, f"{where}, field 'id'"):
        return None
    where = f"view '{item['id']}'"
    title = text_field(item, "title", problems, file, where)
    edges = item["edges"]
    if not (isinstance(edges, list) and len(edges) == 2
            and all(isinstance(edge, str) and edge.strip() for edge in edges)):
        problems.add(file, f"{where}, field 'edges'", "expected two words: the client's side "
                     "at the drawing's left edge, then at its right edge")
        edges = ["", ""]
    shapes = item["shapes"] if isinstance(item["shapes"], list) else []
    if not shapes:
        problems.add(file, f"{where}, field 'shapes'", "expected a list of shapes")
    loaded = [_shape(shape, f"{where}, shape {number}", known, problems, file)
              for number, shape in enumerate(shapes, start=1)]
    return BodyView(str(item["id"]), title, (edges[0].strip(), edges[1].strip()),
                    tuple(shape for shape in loaded if shape is not None))


def _shape(item: Any, where: str, known: set[str], problems: Problems,
           file: str) -> Shape | None:
    if not check_mapping(item, {"region", "d"}, {"region", "d"}, problems, file, where):
        return None
    region, path = item["region"], item["d"]
    if region not in known:
        problems.add(file, f"{where}, field 'region'", f"{region!r} is not a region of "
                     "body_regions in rulebook.yaml")
        return None
    if not isinstance(path, str) or not _PATH.match(path.strip()):
        problems.add(file, f"{where} ({region}), field 'd'", "expected SVG path data, such as "
                     "\"M10 10L20 10L15 20Z\"")
        return None
    return Shape(region, " ".join(path.split()))
