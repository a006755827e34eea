/** @odoo-module */

import { registry } from "@web/core/registry";

// The customer promises a date for what is overdue, then chooses how to be contacted.
registry.category("web_tour.tours").add("collections_portal_promise", {
    steps: () => [
        {
            content: "Pick the date (the page allows up to the policy's limit)",
            trigger: ".o_collection_promise_form input[name=promise_date]",
            run() {
                this.anchor.value = this.anchor.max;
            },
        },
        {
            content: "Promise",
            trigger: ".o_collection_promise",
            run: "click",
        },
        {
            content: "The promise is acknowledged",
            trigger: ".o_collection_done",
        },
        {
            content: "The debts show as promised",
            trigger: ".o_collection_debt .badge.text-bg-info",
        },
        {
            content: "No SMS, please",
            trigger: "input#channel_sms",
            run: "click",
        },
        {
            content: "WhatsApp is best",
            trigger: "select#preferred_channel",
            run: "select whatsapp",
        },
        {
            content: "In the evening",
            trigger: "select#contact_time",
            run: "select evening",
        },
        {
            content: "Save",
            trigger: ".o_collection_save_preferences",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_collection_done",
        },
    ],
});
