"""Customers' phone numbers in E.164 (``+44 7700 900496`` becomes ``+447700900496``).

The field becomes ``PhoneNumberField`` (the same column: no schema change), and the stored numbers
are normalised with the same ``phone_e164`` every writer uses from now on, numbers without a
country code read as ``PHONE_DEFAULT_REGION``'s. A value that is not a phone number (text, an
extension, a wrong length) is left as it was and the migration goes on: an agent still finds it by
its text, and the next edit of that customer's phone must give a valid one.

Rows are read in id order, a batch at a time, so a large table never sits in memory. Reversing
keeps the E.164 form (a valid phone number either way; the original spacing is not kept).
"""

from django.db import migrations

import touchpoints.phones

BATCH = 2000


def normalise_phones(apps, schema_editor):
    Customer = apps.get_model("touchpoints", "Customer")
    rows = Customer.objects.using(schema_editor.connection.alias).exclude(phone="").order_by("id")
    last_id = 0
    while batch := list(rows.filter(id__gt=last_id).values_list("id", "phone")[:BATCH]):
        last_id = batch[-1][0]
        changed = []
        for customer_id, phone in batch:
            e164 = touchpoints.phones.phone_e164_or_none(phone)
            if e164 and e164 != phone:
                changed.append(Customer(id=customer_id, phone=e164))
        Customer.objects.using(schema_editor.connection.alias).bulk_update(changed, ["phone"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("touchpoints", "0003_customer_search_trigram"),
    ]

    operations = [
        migrations.AlterField(
            model_name="customer",
            name="phone",
            field=touchpoints.phones.PhoneNumberField(
                blank=True,
                help_text="Stored in E.164 (+447700900496); a number without its country code is read as one "
                "of the PHONE_DEFAULT_REGION setting.",
                max_length=50,
            ),
        ),
        migrations.RunPython(normalise_phones, migrations.RunPython.noop),
    ]
