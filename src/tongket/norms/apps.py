from django.apps import AppConfig


class NormsConfig(AppConfig):
    """Django glue for the rule packs; the calculators in norms/calc never import Django."""

    name = "tongket.norms"
    verbose_name = "Định mức, PCGD và chuẩn quốc gia"
    label = "norms"
