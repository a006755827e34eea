/** @odoo-module */

import { registry } from "@web/core/registry";

// A collector records the customer's promise to pay from the Collections tab.
registry.category("web_tour.tours").add("collections_promise_to_pay", {
    steps: () => [
        {
            content: "Open the customer's Collections tab",
            trigger: ".o_notebook .nav-link:contains(Collections)",
            run: "click",
        },
        {
            content: "Promise to pay",
            trigger: "button:contains(Promise to Pay)",
            run: "click",
        },
        {
            content: "The wizard lists the customer's open invoices",
            trigger: ".modal .o_field_widget[name=move_ids] .o_tag",
        },
        {
            content: "The customer will pay in a week",
            trigger: ".modal .o_field_widget[name=promise_date] input",
            run: "edit 12/31/2099",
        },
        {
            content: "Add what they said",
            trigger: ".modal .o_field_widget[name=note] textarea, .modal .o_field_widget[name=note] input",
            run: "edit Will pay by Pix after a client pays them",
        },
        {
            content: "Record the promise",
            trigger: ".modal footer button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The dialog closes",
            trigger: "body:not(:has(.modal))",
        },
    ],
});
