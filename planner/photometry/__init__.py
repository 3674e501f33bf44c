"""Photographs: handling uploads, aligning by the pupils and measuring (numpy, Pillow).

Pure: no flask and no database. Callers pass bytes, points and plain values and
get bytes, transforms and measurements back.
"""

from planner.photometry.alignment import AlignmentError
from planner.photometry.alignment import Frame
from planner.photometry.alignment import Similarity
from planner.photometry.alignment import align_pupils
from planner.photometry.alignment import fit_similarity
from planner.photometry.alignment import scaled
from planner.photometry.imaging import CONTENT_TYPE
from planner.photometry.imaging import MAX_BYTES
from planner.photometry.imaging import PhotoRejected
from planner.photometry.imaging import ProcessedPhoto
from planner.photometry.imaging import Rendition
from planner.photometry.imaging import process_photo
from planner.photometry.landmarks import LANDMARK_KEYS
from planner.photometry.landmarks import LANDMARKS
from planner.photometry.landmarks import PUPILS
from planner.photometry.landmarks import Landmark
from planner.photometry.landmarks import LandmarkDetector
from planner.photometry.landmarks import Point
from planner.photometry.landmarks import Points
from planner.photometry.landmarks import check_points
from planner.photometry.measures import IRIS_DIAMETER_LABEL
from planner.photometry.measures import IRIS_DIAMETER_MM
from planner.photometry.measures import MEASURE_LABELS
from planner.photometry.measures import Bilateral
from planner.photometry.measures import Comparison
from planner.photometry.measures import Measurements
from planner.photometry.measures import PupilDistance
from planner.photometry.measures import Scale
from planner.photometry.measures import ScaleKind
from planner.photometry.measures import commissure_movement
from planner.photometry.measures import measure
from planner.photometry.measures import photo_scale
from planner.photometry.measures import pupil_distance
from planner.photometry.measures import pupil_distance_mm
from planner.photometry.measures import scale_from_pupils
from planner.photometry.sides import side_problems
from planner.photometry.standard_views import DEFAULT_VIEWS
from planner.photometry.standard_views import REST
from planner.photometry.standard_views import StandardView

__all__ = [
    "CONTENT_TYPE",
    "DEFAULT_VIEWS",
    "IRIS_DIAMETER_LABEL",
    "IRIS_DIAMETER_MM",
    "LANDMARKS",
    "LANDMARK_KEYS",
    "MAX_BYTES",
    "MEASURE_LABELS",
    "PUPILS",
    "REST",
    "AlignmentError",
    "Bilateral",
    "Comparison",
    "Frame",
    "Landmark",
    "LandmarkDetector",
    "Measurements",
    "PhotoRejected",
    "Point",
    "Points",
    "ProcessedPhoto",
    "PupilDistance",
    "Rendition",
    "Scale",
    "ScaleKind",
    "Similarity",
    "StandardView",
    "align_pupils",
    "check_points",
    "commissure_movement",
    "fit_similarity",
    "measure",
    "photo_scale",
    "process_photo",
    "pupil_distance",
    "pupil_distance_mm",
    "scale_from_pupils",
    "scaled",
    "side_problems",
]
