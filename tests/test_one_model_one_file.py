"""Each model of the addons is declared in one file: no other file reopens it with
``_inherit`` (the import order of ``models/__init__.py`` does not matter)."""

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OWN_MODELS = ("aakash.sms.message", "aakash.sms.provider")


def reopenings(root, model):
    """The files below ``root`` holding a class that inherits ``model`` without
    declaring it (``_inherit`` naming it, no ``_name``)."""
    found = []
    for path in sorted(root.glob("aakash_sms*/**/*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            attrs = {
                target.id: stmt.value
                for stmt in node.body
                if isinstance(stmt, ast.Assign)
                for target in stmt.targets
                if isinstance(target, ast.Name)
            }
            if "_inherit" not in attrs or "_name" in attrs:
                continue
            inherit = ast.literal_eval(attrs["_inherit"])
            if model in ([inherit] if isinstance(inherit, str) else inherit):
                found.append(str(path.relative_to(root)))
    return found


def test_the_sms_log_and_the_provider_are_each_declared_in_one_file():
    for model in OWN_MODELS:
        assert reopenings(REPO, model) == [], model
