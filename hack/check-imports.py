#!/usr/bin/env python3
"""Keeps the documented module graph true (run by `make test`).

Three checks, all against what the code really does:
  1. docs/architecture.md's table "Module graph" lists, for each of our library targets, exactly the project
     modules its sources import (no more, no fewer): the document is the graph, not a drawing of it.
  2. Every module a target's files import is a declared dependency in Package.swift (no import that compiles
     only because another dependency passes it through), and every declared dependency is imported somewhere in
     the target (none left over).
  3. The graph has no cycle and every edge points to a module listed before it in the table (the layer order).

Reads `swift package dump-package` (no build) and the `import` lines of each target's directory.
"""
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(ROOT, "docs", "architecture.md")
# Modules of the toolchain itself: never declared in Package.swift.
SYSTEM = {"Foundation", "FoundationEssentials", "FoundationNetworking", "Dispatch", "Glibc", "Musl", "Darwin",
          "Synchronization", "Testing", "XCTest", "_Concurrency", "os", "CoreFoundation"}
IMPORT = re.compile(r"^\s*(?:@[\w()]+\s+)*(?:(?:public|package|internal|private|fileprivate)\s+)?import\s+"
                    r"(?:(?:struct|class|enum|protocol|func|var|let|typealias)\s+)?([A-Za-z_][A-Za-z0-9_]*)")


def documented_graph():
    """The rows of the table under the heading 'Module graph': module -> set of project modules it imports."""
    rows, order, inside = {}, [], False
    with open(DOC, encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#"):
                inside = line.strip().lstrip("#").strip().lower().startswith("module graph")
                continue
            if not inside or not line.startswith("|"):
                continue
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if len(cells) < 2 or cells[0] in ("module", "") or set(cells[0]) <= {"-", " ", ":"}:
                continue
            name = cells[0].strip("`")
            imports = {item.strip().strip("`") for item in cells[1].split(",") if item.strip() not in ("", "–", "-")}
            rows[name] = imports
            order.append(name)
    return rows, order


def target_dir(target):
    if target.get("path"):
        return os.path.join(ROOT, target["path"])
    base = "Tests" if target["type"] == "test" else "Sources"
    return os.path.join(ROOT, base, target["name"])


def imports_of(directory):
    found = {}
    for folder, _, files in os.walk(directory):
        for name in files:
            if not name.endswith(".swift"):
                continue
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as handle:
                for number, line in enumerate(handle, 1):
                    match = IMPORT.match(line)
                    if match:
                        found.setdefault(match.group(1), f"{os.path.relpath(path, ROOT)}:{number}")
    return found


def declared_dependencies(target):
    names = set()
    for dependency in target.get("dependencies", []):
        for kind in ("byName", "target", "product"):
            if kind in dependency:
                names.add(dependency[kind][0])
    return names


def main():
    manifest = json.loads(subprocess.run(["swift", "package", "dump-package"], cwd=ROOT, check=True,
                                         capture_output=True, text=True).stdout)
    targets = {target["name"]: target for target in manifest["targets"]}
    project = set(targets)
    documented, order = documented_graph()
    errors = []

    for name, target in sorted(targets.items()):
        imported = imports_of(target_dir(target))
        declared = declared_dependencies(target)
        for module, where in sorted(imported.items()):
            if module in SYSTEM or module == name:
                continue
            if module not in declared:
                errors.append(f"{where}: {name} imports {module}, which Package.swift does not declare for it")
        for module in sorted(declared - set(imported)):
            errors.append(f"Package.swift: {name} declares {module} but none of its files imports it")
        if target["type"] != "regular":
            continue
        actual = {module for module in imported if module in project and module != name}
        if name not in documented:
            errors.append(f"docs/architecture.md: the module graph has no row for {name} (it imports {sorted(actual)})")
            continue
        for module in sorted(actual - documented[name]):
            errors.append(f"{imported[module]}: {name} imports {module}, an edge docs/architecture.md does not list")
        for module in sorted(documented[name] - actual):
            errors.append(f"docs/architecture.md: lists {name} -> {module}, but no file of {name} imports it")

    for name in documented:
        if name not in targets or targets[name]["type"] != "regular":
            errors.append(f"docs/architecture.md: the module graph lists {name}, which is not a library target")
    position = {name: index for index, name in enumerate(order)}
    for name, imports in documented.items():
        for module in imports:
            if module in position and position[module] >= position[name]:
                errors.append(f"docs/architecture.md: {name} -> {module} points up or sideways against the table's order")

    if errors:
        print("check-imports: the module graph is not what the documents say:", file=sys.stderr)
        for error in errors:
            print("  " + error, file=sys.stderr)
        sys.exit(1)
    edges = sum(len(imports) for imports in documented.values())
    print(f"check-imports: {len(documented)} modules, {edges} edges, as docs/architecture.md says; "
          f"{len(targets)} targets import exactly what they declare")


if __name__ == "__main__":
    main()
