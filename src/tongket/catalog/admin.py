from django.contrib import admin

from tongket.catalog import models as m
from tongket.core.admin import AuditedAdmin

for model in (m.PackVersion, m.Dimension, m.DataElement, m.Form, m.Indicator, m.ValidationRule):
    admin.site.register(model, AuditedAdmin)  # admin edits go into the change log
