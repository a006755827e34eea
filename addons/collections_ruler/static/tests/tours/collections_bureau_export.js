/** @odoo-module */

import { registry } from "@web/core/registry";

// A collections manager exports the debts marked for negativação to the credit bureau file.
registry.category("web_tour.tours").add("collections_bureau_export", {
    steps: () => [
        {
            content: "Choose the collection agency",
            trigger: ".o_field_widget[name=kind] .o_radio_item:contains(Collection Agency) input",
            run: "click",
        },
        {
            content: "Nothing handed over to an agency yet",
            trigger: ".o_field_widget[name=move_count]:contains(0)",
        },
        {
            content: "Choose the credit bureau",
            trigger: ".o_field_widget[name=kind] .o_radio_item:contains(Credit Bureau) input",
            run: "click",
        },
        {
            content: "The export wizard counts the debts marked for the bureau",
            trigger: ".o_field_widget[name=move_count]:contains(1)",
        },
        {
            content: "Create the file",
            trigger: "button[name=action_export]",
            run: "click",
        },
        {
            content: "The file is ready to download",
            trigger: ".o_field_widget[name=file] a, .o_field_widget[name=file] button.fa-download, .o_field_binary .fa-download",
        },
    ],
});
