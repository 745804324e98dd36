"""Vision-only students distilled from a CLIP teacher; `OBJECTIVES` maps a config's
`objective:` to the function that trains a student with it."""

from ilid_platform.train.students.adip import train_adip

OBJECTIVES = {"adip": train_adip}

__all__ = ["OBJECTIVES"]
