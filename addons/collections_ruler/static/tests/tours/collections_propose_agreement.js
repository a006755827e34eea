/** @odoo-module */

import { registry } from "@web/core/registry";

// A collector opens a customer, proposes an agreement over their overdue invoices and confirms it,
// as the web client does it (the wizard's defaults go through the onchange the web client calls).
registry.category("web_tour.tours").add("collections_propose_agreement", {
    steps: () => [
        {
            content: "Open the customer's Collections tab",
            trigger: ".o_notebook .nav-link:contains(Collections)",
            run: "click",
        },
        {
            content: "Propose an agreement",
            trigger: "button:contains(Propose an Agreement)",
            run: "click",
        },
        {
            content: "The wizard lists the overdue invoices",
            trigger: ".modal .o_field_widget[name=move_ids] .o_tag",
        },
        {
            content: "Confirm within the policy",
            trigger: ".modal footer button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The agreement is active",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Active)",
        },
    ],
});
