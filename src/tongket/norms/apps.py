from django.apps import AppConfig


class NormsConfig(AppConfig):
    """Django glue for the rule packs; the calculators in norms/calc never import Django."""

    name = "tongket.norms"
    label = "norms"
