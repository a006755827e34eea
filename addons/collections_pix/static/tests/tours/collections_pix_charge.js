/** @odoo-module */

import { registry } from "@web/core/registry";

// A collector asks for a Pix charge from an overdue invoice's Collections tab.
registry.category("web_tour.tours").add("collections_pix_charge", {
    steps: () => [
        {
            content: "Open the invoice's Collections tab",
            trigger: ".o_notebook .nav-link:contains(Collections)",
            run: "click",
        },
        {
            content: "Create the Pix charge",
            trigger: "button[name=action_collection_pix_charge]",
            run: "click",
        },
        {
            content: "The charge waits for the PSP, and the button is gone",
            trigger: ".o_field_widget[name=collection_pix_charge_ids] .o_data_row:contains(To Send)",
        },
        {
            content: "No second charge can be asked for",
            trigger: ".o_notebook:not(:has(button[name=action_collection_pix_charge]))",
        },
    ],
});
