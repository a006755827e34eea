/** @odoo-module */

import { registry } from "@web/core/registry";

// A collections manager adds a stage to the ruler: D+45, a WhatsApp message and a phone call.
registry.category("web_tour.tours").add("collections_ruler_config", {
    steps: () => [
        {
            content: "Add a stage",
            trigger: ".o_field_widget[name=stage_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "Name it",
            trigger: ".modal .o_field_widget[name=name] input",
            run: "edit Last call before the agency",
        },
        {
            content: "45 days after the due date",
            trigger: ".modal .o_field_widget[name=offset_days] input",
            run: "edit 45",
        },
        {
            content: "Open the phone tab",
            trigger: ".modal .o_notebook .nav-link:contains(Phone Call)",
            run: "click",
        },
        {
            content: "Call the customer",
            trigger: ".modal .o_field_widget[name=channel_phone] input",
            run: "click",
        },
        {
            content: "Save the stage",
            trigger: ".modal .o_form_button_save, .modal footer .btn-primary",
            run: "click",
        },
        {
            content: "The stage is in the list",
            trigger: ".o_field_widget[name=stage_ids] td:contains(Last call before the agency)",
        },
        {
            content: "Save the ruler",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_form_saved, .o_form_view:not(:has(.o_form_button_save:visible))",
        },
    ],
});
