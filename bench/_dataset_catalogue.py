"""The benchmark data set's catalogue: touchpoints, surveys and questions, journey maps.

A few rows, written through the ORM (``catalogue_write``) in the load's transaction, and read
back (``catalogue_read``) into the ``Shape`` the bulk tables are built from. What they hold:
``bench/_dataset.py``.
"""

from __future__ import annotations

from bench._dataset import CHANNELS, JOURNEY_MAPS, STAGE_SIZES, Shape


def touchpoints_new(code_prefix: str = "bench-tp") -> list:
    """20 unsaved touchpoints over the three stages (``STAGE_SIZES``): every third with a floor
    score, every fourth with a measure (a wait time, lower is better)."""
    from touchpoints.models import Direction, Touchpoint

    touchpoints = []
    number = 0
    for stage, count in STAGE_SIZES:
        for _ in range(count):
            number += 1
            measured = number % 4 == 0
            touchpoints.append(
                Touchpoint(
                    code=f"{code_prefix}-{number:02d}",
                    name=f"Touchpoint {number:02d}",
                    stage=stage,
                    channel=CHANNELS[number % len(CHANNELS)],
                    floor_score=4.0 if number % 3 == 0 else None,
                    measure_name="Wait time" if measured else "",
                    measure_unit="minutes" if measured else "",
                    measure_direction=Direction.LOWER_IS_BETTER if measured else "",
                )
            )
    return touchpoints


def _touchpoint_facts(touchpoints: list) -> list[dict]:
    """Per touchpoint: id, stage, whether it has a measure, and its main channel and two others."""
    return [
        {
            "id": tp.id,
            "stage": str(tp.stage),
            "measured": bool(tp.measure_name),
            "channels": tuple(CHANNELS[(CHANNELS.index(tp.channel) + k) % len(CHANNELS)] for k in (0, 1, 3)),
        }
        for tp in touchpoints
    ]


def _questions(surveys: list) -> list:
    """The questions of the three surveys (NPS; NPS, expectation pair, CES; CSAT), saved."""
    from surveys.models import Question, QuestionDriver, QuestionType
    from touchpoints.models import Direction

    layout = [
        [QuestionType.NPS],
        [QuestionType.NPS, QuestionType.EXPECTATION_EXPERIENCE, QuestionType.CES],
        [QuestionType.CSAT],
    ]
    scales = {
        QuestionType.NPS: (0, 10),
        QuestionType.CSAT: (1, 5),
        QuestionType.CES: (1, 7),
        QuestionType.EXPECTATION_EXPERIENCE: (0, 10),
    }
    # Ratings that measure an experience dimension feed the key-driver rollups.
    drivers = {
        QuestionType.CES: QuestionDriver.CONVENIENCE,
        QuestionType.EXPECTATION_EXPERIENCE: QuestionDriver.SERVICE,
        QuestionType.CSAT: QuestionDriver.SERVICE,
    }
    questions = [
        Question(
            survey=survey,
            order=order,
            type=kind,
            texts={"en": f"{kind} question"},
            scale_min=scales[kind][0],
            scale_max=scales[kind][1],
            direction=Direction.HIGHER_IS_BETTER,
            driver=drivers.get(kind, ""),
        )
        for survey, kinds in zip(surveys, layout, strict=True)
        for order, kind in enumerate(kinds, start=1)
    ]
    Question.objects.bulk_create(questions)
    return questions


def catalogue_write(shape: Shape, *, journeys: bool) -> None:
    """Touchpoints, the three surveys and their questions, and (with ``journeys``) the maps."""
    from django.utils import timezone

    from journeys.models import JourneyMap, JourneyMapStatus, JourneyMapStep
    from surveys.models import Survey
    from touchpoints.models import Touchpoint

    touchpoints = Touchpoint.objects.bulk_create(touchpoints_new())
    transactional_tp = touchpoints[-1]
    surveys = Survey.objects.bulk_create(
        [
            Survey(name="Relationship NPS", kind=Survey.Kind.RELATIONSHIP, languages=["en"], status="live"),
            Survey(
                name="After contact",
                kind=Survey.Kind.TRANSACTIONAL,
                languages=["en"],
                status="live",
                touchpoint=transactional_tp,
            ),
            Survey(name="Satisfaction", kind=Survey.Kind.CSAT, languages=["en"], status="live"),
        ]
    )
    _questions(surveys)
    if journeys:
        # Published with the default rules (first step starts, last ends, 30 days' timeout): they
        # assemble journeys, as the loaded ones were.
        maps = JourneyMap.objects.bulk_create(
            JourneyMap(name=name, status=JourneyMapStatus.PUBLISHED, published_at=timezone.now())
            for name, _, _ in JOURNEY_MAPS
        )
        JourneyMapStep.objects.bulk_create(
            JourneyMapStep(journey_map=journey_map, touchpoint=touchpoints[number - 1], position=position)
            for journey_map, (_, _, numbers) in zip(maps, JOURNEY_MAPS, strict=True)
            for position, number in enumerate(numbers, start=1)
        )
    catalogue_read(shape)


def catalogue_read(shape: Shape) -> None:
    from journeys.models import JourneyMap
    from surveys.models import Question, Survey
    from touchpoints.models import Touchpoint

    shape.touchpoints = _touchpoint_facts(list(Touchpoint.objects.order_by("code")))
    surveys = list(Survey.objects.order_by("id"))
    shape.survey_ids = [s.id for s in surveys]
    shape.survey_touchpoint = [s.touchpoint_id for s in surveys]
    shape.questions = [
        [(q.id, str(q.type)) for q in Question.objects.filter(survey=s).order_by("order")] for s in surveys
    ]
    names = [name for name, _, _ in JOURNEY_MAPS]
    by_name = dict(JourneyMap.objects.filter(name__in=names).values_list("name", "id"))
    shape.journey_map_ids = [by_name[name] for name in names if name in by_name]


def catalogue_counts(shape: Shape) -> dict[str, list]:
    steps = [n for name, _, numbers in JOURNEY_MAPS for n in numbers] if shape.journey_map_ids else []
    return {
        "touchpoints_touchpoint": shape.touchpoints,
        "surveys_survey": shape.survey_ids,
        "surveys_question": [q for questions in shape.questions for q in questions],
        "journeys_journeymap": shape.journey_map_ids,
        "journeys_journeymapstep": steps,
    }
