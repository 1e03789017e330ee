from django.contrib import admin

from tongket.catalog import models as m

for model in (m.PackVersion, m.Dimension, m.DataElement, m.Form, m.Indicator, m.ValidationRule):
    admin.site.register(model)
