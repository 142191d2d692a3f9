"""The body map (body_map.yaml beside rulebook.yaml): the real one draws every region on the
side of the body it belongs to; a broken one is refused with the problem named. No Flask."""

import re

import pytest

from screening.rulebook import RulebookError, load_rulebook
from tests.engine.rulebook_builder import edit, write_rulebook
from tests.engine.test_rulebook_loading import assert_reported

MAP = "body_map.yaml"
#: A map for the small rule book of rulebook_builder (its seven regions).
SMALL_MAP = """\
width: 70
height: 200
views:
  - id: front
    title: Front
    edges: [Right, Left]
    shapes:
      - {region: face, d: "M25 10H45V30H25Z"}
      - {region: left_hip, d: "M40 90H50V100H40Z"}
      - {region: left_calf, d: "M40 150H48V180H40Z"}
      - {region: right_calf, d: "M22 150H30V180H22Z"}
      - {region: left_foot, d: "M40 185H48V195H40Z"}
  - id: back
    title: Back
    edges: [Left, Right]
    shapes:
      - {region: upper_back, d: "M20 40H50V65H20Z"}
      - {region: lower_back, d: "M20 65H50V87H20Z"}
"""


def small_map(folder, *edits):
    write_rulebook(folder)
    (folder / MAP).write_text(SMALL_MAP, encoding="utf-8")
    for old, new in edits:
        edit(folder / MAP, old, new)
    return folder


def map_problems(folder, *edits):
    with pytest.raises(RulebookError) as caught:
        load_rulebook(small_map(folder, *edits))
    return caught.value.problems


def regions_in(view):
    return {shape.region for shape in view.shapes}


def test_the_real_map_draws_every_region_and_only_those(rulebook):
    body_map = rulebook.body_map
    assert body_map is not None and (body_map.width, body_map.height) == (70, 200)
    drawn = {shape.region for view in body_map.views for shape in view.shapes}
    assert drawn == {region.id for region in rulebook.regions}


def test_the_real_map_puts_each_region_on_its_side_of_the_body(rulebook):
    front, back = rulebook.body_map.views
    assert (front.id, front.title, front.edges) == ("front", "Front", ("Right", "Left"))
    assert (back.id, back.title, back.edges) == ("back", "Back", ("Left", "Right"))
    only_front = {"face", "chest", "abdomen", "groin", "left_armpit", "right_armpit"}
    only_back = {"upper_back", "lower_back", "buttocks"}
    assert only_front <= regions_in(front) and not only_front & regions_in(back)
    assert only_back <= regions_in(back) and not only_back & regions_in(front)
    limbs = {region.id for region in rulebook.regions
             if region.group.endswith(("arm", "leg")) and "armpit" not in region.id}
    assert limbs <= regions_in(front) & regions_in(back)
    assert {"head", "neck"} <= regions_in(front) & regions_in(back)


def test_the_clients_right_side_is_on_the_left_of_the_front_view(rulebook):
    """Seen from the front, the client's right arm is on the left of the drawing; from the
    back, on the right (the drawing is 70 wide: its middle is 35)."""
    def middle_x(view, region):
        """Where the region's shape starts, across the drawing."""
        shape = next(shape for shape in view.shapes if shape.region == region)
        return float(re.match(r"M(-?[\d.]+)", shape.d).group(1))

    front, back = rulebook.body_map.views
    assert middle_x(front, "right_hand") < 35 < middle_x(front, "left_hand")
    assert middle_x(back, "left_hand") < 35 < middle_x(back, "right_hand")


def test_a_rulebook_without_a_map_asks_with_the_list_alone(tmp_path):
    assert load_rulebook(write_rulebook(tmp_path)).body_map is None


def test_a_small_map_loads_with_its_shapes_in_order(tmp_path):
    rulebook = load_rulebook(small_map(tmp_path))
    front, back = rulebook.body_map.views
    assert [shape.region for shape in front.shapes][:2] == ["face", "left_hip"]
    assert back.shapes[0].d == "M20 40H50V65H20Z"


def test_the_map_is_not_part_of_the_rulebook_version(tmp_path):
    """The figures change how the form looks, never how answers are screened."""
    without = load_rulebook(write_rulebook(tmp_path / "a")).version
    assert load_rulebook(small_map(tmp_path / "b")).version == without


def test_a_region_without_a_shape_is_named(tmp_path):
    problems = map_problems(tmp_path, ('      - {region: left_foot, d: "M40 185H48V195H40Z"}\n',
                                       ""))
    assert_reported(problems, MAP, "region 'left_foot' (Left foot)", "has no shape")
    assert len(problems) == 1


def test_a_shape_of_a_region_the_rulebook_does_not_have_is_named(tmp_path):
    problems = map_problems(tmp_path, ("region: face,", "region: chin,"))
    assert_reported(problems, MAP, "view 'front', shape 1", "'chin' is not a region")
    assert_reported(problems, MAP, "region 'face' (Face)", "has no shape")


@pytest.mark.parametrize("old, new, fragments", [
    ('d: "M25 10H45V30H25Z"', 'd: "M25 10H45V30H25Z\\" onclick=\\"x"',
     ["view 'front', shape 1 (face), field 'd'", "expected SVG path data"]),
    ('d: "M25 10H45V30H25Z"', "d: 25 10", ["shape 1 (face), field 'd'"]),
    ("{region: face, d:", "{region: face, fill: red, d:", ["shape 1", "unknown field 'fill'"]),
    ("width: 70", "width: wide", ["field 'width'", "expected a positive number"]),
    ("height: 200\n", "", ["body map", "missing field 'height'"]),
    ("edges: [Left, Right]", "edges: [Left]", ["view 'back', field 'edges'", "two words"]),
    ("id: back", "id: front", ["views", "view 'front' is listed twice"]),
    ("id: back", "id: Back", ["views[1], field 'id'", "is not an id"]),
    ("    title: Back\n", "", ["views[1]", "missing field 'title'"]),
    (SMALL_MAP, "- front\n- back\n", ["file", "must hold a mapping"]),
])
def test_a_broken_map_is_refused_with_the_place_named(tmp_path, old, new, fragments):
    assert_reported(map_problems(tmp_path, (old, new)), MAP, *fragments)
