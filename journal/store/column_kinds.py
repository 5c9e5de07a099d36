"""Generated from journal.store.models.column_kinds(): do not edit by hand.

tests/store/test_column_kinds.py says how to regenerate it when the models change.
"""

COLUMN_KINDS: dict[str, dict[str, str]] = {
    "checkin": {
        "concerns": "json",
        "course_id": "uuid",
        "created_at": "datetime",
        "date": "date",
        "downtime": "bool",
        "id": "uuid",
        "red_flags": "json",
        "updated_at": "datetime",
    },
    "course": {
        "areas": "json",
        "concerns": "json",
        "created_at": "datetime",
        "id": "uuid",
        "patient_id": "uuid",
        "updated_at": "datetime",
    },
    "patient": {
        "concerns": "json",
        "created_at": "datetime",
        "id": "uuid",
        "screening": "json",
        "updated_at": "datetime",
    },
    "photo": {
        "checkin_id": "uuid",
        "course_id": "uuid",
        "created_at": "datetime",
        "id": "uuid",
        "taken_at": "datetime",
        "treatment_id": "uuid",
        "updated_at": "datetime",
    },
    "provider": {"created_at": "datetime", "id": "uuid", "updated_at": "datetime"},
    "review": {
        "course_id": "uuid",
        "created_at": "datetime",
        "date": "date",
        "id": "uuid",
        "provider_id": "uuid",
        "updated_at": "datetime",
    },
    "treatment": {
        "adjuncts": "json",
        "areas": "json",
        "cost": "decimal:2",
        "course_id": "uuid",
        "created_at": "datetime",
        "date": "date",
        "depth_by_area": "json",
        "depth_mm": "float",
        "id": "uuid",
        "provider_id": "uuid",
        "updated_at": "datetime",
    },
}
