/** @odoo-module */

import { registry } from "@web/core/registry";

// A manager reads the dashboard, drills into the aging, then opens a report for a period.
// Triggers use names, not labels: the tour runs for a Portuguese-speaking user.
registry.category("web_tour.tours").add("collections_reports", {
    steps: () => [
        {
            content: "The dashboard shows the overdue total",
            trigger: ".o_collection_dashboard .card[name=overdue] .fs-2:contains(1.200)",
        },
        {
            content: "The trend has the six month ends and today",
            trigger: ".o_collection_trend > div:nth-child(7)",
        },
        {
            content: "Open the overdue receivables",
            trigger: ".o_collection_dashboard .card[name=overdue]",
            run: "click",
        },
        {
            content: "The aging pivot lists the customer",
            trigger: ".o_pivot .o_pivot_header_cell_closed:contains(Joana Silva)",
        },
        {
            content: "Switch to the list to drill down to the invoices",
            trigger: ".o_switch_view.o_list",
            run: "click",
        },
        {
            content: "Each row opens its invoice",
            trigger: ".o_list_view .o_data_row button[name=action_open_invoice]",
            run: "click",
        },
        {
            content: "The invoice form",
            trigger: ".o_form_view .o_field_widget[name=partner_id]:contains(Joana Silva)",
        },
    ],
});

registry.category("web_tour.tours").add("collections_report_period", {
    steps: () => [
        {
            content: "Choose the ruler's effectiveness",
            trigger: ".modal .o_field_widget[name=report] input[data-value=effectiveness]",
            run: "click",
        },
        {
            content: "From the first of November",
            trigger: ".modal .o_field_widget[name=date_from] input",
            run: "edit 01/11/2026",
        },
        {
            content: "Open it in Odoo",
            trigger: ".modal footer button[name=action_open]",
            run: "click",
        },
        {
            content: "The effectiveness pivot shows the stage that was sent",
            trigger: ".o_pivot .o_pivot_header_cell_closed:contains(Lembrete amigável), .o_pivot .o_pivot_header_cell_opened",
        },
        {
            content: "The period is in the title",
            trigger: ".o_breadcrumb:contains(01/11/2026)",
        },
    ],
});
