/** @odoo-module */

import { registry } from "@web/core/registry";

// The customer opens the link of a reminder, picks two overdue debts, accepts 3 installments and asks
// for the Pix of the first one.
registry.category("web_tour.tours").add("collections_portal_agreement", {
    steps: () => [
        {
            content: "The page lists what the customer owes today",
            trigger: ".o_collection_debts .o_collection_total",
        },
        {
            content: "Pick the oldest overdue debt",
            trigger: ".o_collection_debt:eq(0) .o_collection_pick",
            run: "click",
        },
        {
            content: "And the next one",
            trigger: ".o_collection_debt:eq(1) .o_collection_pick",
            run: "click",
        },
        {
            content: "See the agreements on offer",
            trigger: ".o_collection_negotiate",
            run: "click",
        },
        {
            content: "Choose three installments",
            trigger: ".o_collection_option[data-count='3'] input[type=radio]",
            run: "click",
        },
        {
            content: "Accept the terms",
            trigger: "input#accept_terms",
            run: "click",
        },
        {
            content: "Accept the agreement",
            trigger: ".o_collection_accept",
            run: "click",
        },
        {
            content: "The agreement is active at once",
            trigger: ".o_collection_done",
        },
        {
            content: "It is listed with its installments",
            trigger: ".o_collection_agreement tbody tr:eq(2)",
        },
        {
            content: "Pay the first installment by Pix",
            trigger: ".o_collection_debt[data-installment='1'] .o_collection_pay_pix",
            run: "click",
        },
        {
            content: "The Pix code is being generated",
            trigger: ".o_collection_pix_panel .o_collection_pix_pending:not(.d-none)",
        },
    ],
});

// Back on the page once the PSP registered the charge: the QR code and the code to copy.
registry.category("web_tour.tours").add("collections_portal_pix_active", {
    steps: () => [
        {
            content: "The QR code shows without a reload",
            trigger: ".o_collection_pix_active:not(.d-none) img.o_collection_pix_qr[src*='/collections_pix/qr/']",
        },
        {
            content: "The Pix Copia e Cola is there to copy",
            trigger: ".o_collection_pix_active:not(.d-none) .o_collection_pix_payload",
            run() {
                if (!this.anchor.value.startsWith("000201")) {
                    throw new Error(`Not a BR Code: ${this.anchor.value}`);
                }
            },
        },
        {
            content: "Copy it",
            trigger: ".o_collection_pix_copy",
            run: "click",
        },
    ],
});

// Once the payment arrived: the page says so.
registry.category("web_tour.tours").add("collections_portal_pix_paid", {
    steps: () => [
        {
            content: "The payment is acknowledged",
            trigger: ".o_collection_pix_paid:not(.d-none)",
        },
        {
            content: "The installment is marked paid in the agreement",
            trigger: ".o_collection_agreement tbody tr:eq(0) .fa-check",
        },
    ],
});
