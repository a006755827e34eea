import { Component, onWillStart, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { formatFloat, formatMonetary } from "@web/views/fields/formatters";

/** The Collections dashboard: a few figures read by collection.dashboard, each opening its report. */
export class CollectionDashboard extends Component {
    static template = "collections_ruler.CollectionDashboard";
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.state = useState({ data: null });
        onWillStart(() => this.load());
    }

    async load() {
        this.state.data = await this.orm.call("collection.dashboard", "get_dashboard_data", []);
    }

    money(value) {
        return formatMonetary(value, { currencyId: this.state.data.currency_id, digits: [16, 0] });
    }

    number(value, digits = 0) {
        return formatFloat(value, { digits: [16, digits] });
    }

    get trendMax() {
        return Math.max(...this.state.data.trend.map((point) => point.amount), 1);
    }

    openAging(extraContext = {}) {
        this.action.doAction("collections_ruler.collection_aging_report_action", {
            additionalContext: extraContext,
        });
    }

    openOverdue() {
        this.openAging({ search_default_overdue: 1, search_default_by_bucket: 0 });
    }

    openTrendPoint(point) {
        this.action.doAction("collections_ruler.collection_aging_report_action", {
            additionalContext: { collection_as_of: point.day, search_default_overdue: 1 },
        });
    }

    openEffectiveness(channel) {
        const domain = [["date", ">=", this.state.data.since]];
        if (channel) {
            domain.push(["channel", "=", channel]);
        }
        this.action.doAction({
            type: "ir.actions.act_window",
            name: _t("Ruler Effectiveness"),
            res_model: "collection.effectiveness.report",
            views: [[false, "pivot"], [false, "graph"], [false, "list"]],
            domain,
        });
    }

    openAgreements() {
        this.action.doAction({
            type: "ir.actions.act_window",
            name: _t("Agreements Analysis"),
            res_model: "collection.agreement.report",
            views: [[false, "pivot"], [false, "graph"], [false, "list"]],
            domain: [["date", ">", this.state.data.long_since]],
        });
    }

    openWorklist() {
        this.action.doAction("collections_ruler.res_partner_action_collection_worklist");
    }

    openPromises() {
        this.action.doAction({
            type: "ir.actions.act_window",
            name: _t("Promises to Pay"),
            res_model: "collection.promise",
            views: [[false, "list"]],
            domain: [["promise_date", ">=", this.state.data.long_since]],
        });
    }
}

registry.category("actions").add("collections_ruler.dashboard", CollectionDashboard);
