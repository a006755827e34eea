/** @odoo-module **/
// The debts page: the Pix panel follows its charge (pending, active, paid) by polling a small JSON
// route, so the customer sees the QR code, then the payment, without reloading the page.
import publicWidget from "@web/legacy/js/public/public_widget";

const POLL_MS = 3000;
const MAX_POLLS = 400; // about 20 minutes: a customer paying from another phone takes a while

publicWidget.registry.CollectionPixPanel = publicWidget.Widget.extend({
    selector: ".o_collection_pix_panel",
    events: {
        "click .o_collection_pix_copy": "_onCopy",
    },

    start() {
        this.polls = 0;
        this._poll();
        return this._super(...arguments);
    },

    destroy() {
        clearTimeout(this.timer);
        this._super(...arguments);
    },

    _show(part) {
        for (const name of ["pending", "active", "paid", "none"]) {
            this.el.querySelector(`.o_collection_pix_${name}`).classList.toggle("d-none", name !== part);
        }
    },

    async _poll() {
        this.polls += 1;
        let answer;
        try {
            const response = await fetch(this.el.dataset.statusUrl, { credentials: "same-origin" });
            answer = await response.json();
        } catch {
            answer = { state: "pending" };
        }
        if (answer.state === "active") {
            const qr = this.el.querySelector(".o_collection_pix_qr");
            if (qr.getAttribute("src") !== answer.qr_url) {
                qr.setAttribute("src", answer.qr_url);
            }
            this.el.querySelector(".o_collection_pix_payload").value = answer.payload;
            this.el.querySelector(".o_collection_pix_amount").textContent = answer.amount;
            this._show("active");
        } else if (answer.state === "paid") {
            this._show("paid");
            return;
        } else if (answer.state === "none" || answer.state === "forbidden") {
            this._show("none");
            return;
        }
        if (this.polls < MAX_POLLS) {
            this.timer = setTimeout(() => this._poll(), POLL_MS);
        }
    },

    async _onCopy(ev) {
        const input = this.el.querySelector(".o_collection_pix_payload");
        input.select();
        try {
            await navigator.clipboard.writeText(input.value);
        } catch {
            document.execCommand("copy");
        }
        ev.currentTarget.textContent = ev.currentTarget.dataset.copied || "✓";
    },
});
