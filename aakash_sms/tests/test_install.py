from odoo.modules.module import get_manifest
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    def test_module_installed_and_manifest_sane(self):
        module = self.env["ir.module.module"].search([("name", "=", "aakash_sms")])
        self.assertEqual(module.state, "installed")
        manifest = get_manifest("aakash_sms")
        self.assertTrue(manifest["version"].startswith("19.0."))
        self.assertEqual(manifest["license"], "LGPL-3")
        self.assertIn("requests", manifest["external_dependencies"]["python"])
        for dependency in ("mail", "sms", "account"):
            self.assertIn(dependency, manifest["depends"])
            self.assertEqual(
                self.env["ir.module.module"].search([("name", "=", dependency)]).state, "installed"
            )
