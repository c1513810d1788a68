"""soundsight.units: what conv5 units learn to detect (Owens et al. 2018 §4, Zhou et al. 2015).

Pipeline: ``activations.unit_maxima`` ranks a pool by each unit's spatial max and keeps the
top-K; ``activations.top_unit_maps`` recomputes the maps on those images; ``masks.unit_masks``
turns them into receptive-field masks; units are then labelled automatically from ground-truth
masks (``label.label_units``; Network Dissection: ``dissect.netdissect_labels``) or by people
(``sheets.export_unit_gallery`` / ``sheets.ingest_sheets``); ``table1`` and ``figures`` report.
"""

from soundsight.units.activations import UnitMaxima, pool_maps, top_unit_maps, unit_maxima
from soundsight.units.dissect import DissectLabels, netdissect_labels
from soundsight.units.label import AutoLabels, detectors_vs_threshold, label_units
from soundsight.units.masks import apply_mask, default_radius, rf_mask, unit_masks
from soundsight.units.sheets import (
    SheetError,
    export_unit_gallery,
    ingest_sheets,
    write_gallery_index,
)
from soundsight.units.table1 import build_table1, load_audible, table1_row
from soundsight.units.views import PNGLabels, WorldFrameLabels, view_image, view_label_map

__all__ = [
    "AutoLabels",
    "DissectLabels",
    "PNGLabels",
    "SheetError",
    "UnitMaxima",
    "WorldFrameLabels",
    "apply_mask",
    "build_table1",
    "default_radius",
    "detectors_vs_threshold",
    "export_unit_gallery",
    "ingest_sheets",
    "label_units",
    "load_audible",
    "netdissect_labels",
    "pool_maps",
    "rf_mask",
    "table1_row",
    "top_unit_maps",
    "unit_masks",
    "unit_maxima",
    "view_image",
    "view_label_map",
    "write_gallery_index",
]
