"""Static check of student code for tampering with what the tests rely on.

The tests run in the same kernel as the student's code, so a student could
try to make them pass without the right answer: rebind a builtin the tests
call (``len = lambda x: 3``), monkeypatch a library the tests use
(``pd.DataFrame.equals = ...``), or silence the shell's error reporting
(``get_ipython().showtraceback = ...``). :class:`ScanStudentCode` reads the
code the student wrote (answer cells and added cells, never the master's
cells) and reports each such statement with its cell and line.

It complements the runtime probe (:mod:`course.grading.kernel_boot`), which
catches what an obfuscated statement hides from a static reading. Neither
is the security boundary (that is the jail); they protect the *grade*.
"""

from __future__ import annotations

import ast

from nbformat import NotebookNode

_SPECIAL_ROOTS = {"builtins", "__builtins__", "sys", "get_ipython()"}
_HOOKS = {
    "sys.settrace",
    "sys.setprofile",
    "sys.addaudithook",
    "threading.settrace",
    "threading.setprofile",
    "sys.set_asyncgen_hooks",
    "sys.setcheckinterval",
}
_DICT_MUTATORS = {"update", "__setitem__", "setdefault", "pop", "popitem", "clear", "__delitem__"}
_ALLOWED_PATCHES = ("pd.options.", "pandas.options.")  # display options, not checks
_DYNAMIC = {"exec", "eval", "compile", "__import__"}
# reading the interpreter's stack: the way to look for a caller's expected value
_FRAME_ATTRS = {
    "f_back",
    "f_locals",
    "f_globals",
    "f_builtins",
    "gi_frame",
    "cr_frame",
    "ag_frame",
    "tb_frame",
}
_FRAME_CALLS = {
    "sys._getframe",
    "inspect.currentframe",
    "inspect.stack",
    "inspect.getouterframes",
    "inspect.trace",
    "sys._current_frames",
    "traceback.walk_stack",
}


def _ipython_to_python(source: str) -> str:
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        return TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001
        return source


def _names_in(tree: ast.AST) -> tuple[set[str], set[str]]:
    """(loaded names, stored names) anywhere in a tree."""
    loads, stores = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loads if isinstance(node.ctx, ast.Load) else stores).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stores.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                stores.add((alias.asname or alias.name).split(".")[0])
    return loads, stores


def _imported(node: ast.Import | ast.ImportFrom) -> list[tuple[str, str]]:
    """(bound name, what it is) for each name an import statement binds."""
    out = []
    for alias in node.names:
        if isinstance(node, ast.Import):
            name = alias.asname or alias.name.split(".")[0]
            out.append((name, alias.name if alias.asname else alias.name.split(".")[0]))
        else:
            out.append((alias.asname or alias.name, f"{node.module}.{alias.name}"))
    return out


def _parse(source: str) -> ast.Module | None:
    try:
        return ast.parse(_ipython_to_python(source))
    except (SyntaxError, ValueError):
        return None


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    if isinstance(node, ast.Call):
        return f"{_dotted(node.func)}()"
    if isinstance(node, ast.Subscript):
        return f"{_dotted(node.value)}[...]"
    return "?"


def _root(node: ast.AST) -> str:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    if isinstance(node, ast.Call):
        return _dotted(node.func) + "()"
    return node.id if isinstance(node, ast.Name) else "?"


class ScanStudentCode:
    """Callable: (notebook, indices of student-written code cells) -> findings."""

    def __init__(self, test_sources: list[str], answer_sources: list[str]):
        """``test_sources``: the master text of every test cell (as graded, hidden tests included);
        ``answer_sources``: the reference solutions, whose names the student is meant to define."""
        test_loads, test_stores, answers = set(), set(), set()
        for text in test_sources:
            tree = _parse(text)
            if tree is not None:
                loads, stores = _names_in(tree)
                test_loads |= loads
                test_stores |= stores
        for text in answer_sources:
            tree = _parse(text)
            if tree is not None:
                answers |= _names_in(tree)[1]
        # names the tests use but neither define themselves nor expect the student to define
        self.protected = test_loads - test_stores - answers

    def __call__(self, nb: NotebookNode, student_cells: list[int]) -> list[str]:
        imported: set[str] = set()
        given: dict[str, str] = {}  # name -> what the master's own cells import under it
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                tree = _parse(cell.source)
                if tree is not None:
                    for node in ast.walk(tree):
                        if isinstance(node, (ast.Import, ast.ImportFrom)):
                            for name, what in _imported(node):
                                imported.add(name)
                                if index not in student_cells:
                                    given[name] = what
        findings: list[str] = []
        aliases = set(imported) | _SPECIAL_ROOTS
        for index in student_cells:
            cell = nb.cells[index]
            tree = _parse(cell.source)
            if tree is None:
                continue
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            label = f"'{gid}'" if gid else f"#{index + 1}"
            visitor = _Visitor(self.protected, aliases, label, given)
            visitor.visit(tree)
            findings += visitor.findings
        return findings


class _Visitor(ast.NodeVisitor):
    def __init__(self, protected: set[str], aliases: set[str], label: str, given: dict[str, str]):
        self.protected = protected
        self.given = given
        self.aliases = aliases  # names bound to imported objects, plus builtins/sys/get_ipython()
        self.label = label
        self.findings: list[str] = []
        self.depth = 0
        self.globals: set[str] = set()

    def flag(self, node: ast.AST, what: str) -> None:
        self.findings.append(f"cell {self.label}, line {getattr(node, 'lineno', '?')}: {what}")

    # -- bindings ---------------------------------------------------------
    def _module_level(self, name: str) -> bool:
        return self.depth == 0 or name in self.globals

    def _bind(self, node: ast.AST, name: str) -> None:
        if self._module_level(name) and name in self.protected:
            self.flag(node, f"rebinds `{name}`, which the tests use")

    def _target(self, target: ast.AST, value: ast.AST | None = None) -> None:
        if isinstance(target, ast.Name):
            self._bind(target, target.id)
            if value is not None and self._is_special_value(value):
                self.aliases.add(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                self._target(elt)
        elif isinstance(target, ast.Starred):
            self._target(target.value)
        elif isinstance(target, ast.Attribute):
            dotted = _dotted(target)
            if _root(target) in self.aliases and not dotted.startswith(_ALLOWED_PATCHES):
                self.flag(target, f"assigns `{dotted}` (monkeypatching something the grading relies on)")
        elif isinstance(target, ast.Subscript):
            root, dotted = _root(target), _dotted(target.value)
            if (
                root in ("__builtins__",)
                or dotted in ("sys.modules", "builtins.__dict__")
                or dotted.endswith(".__dict__")
                and root in self.aliases
                or dotted in ("vars()", "globals()")
                and self._const_key(target) in self.protected
            ):
                self.flag(target, f"writes into `{dotted}`")

    @staticmethod
    def _const_key(target: ast.Subscript):
        key = target.slice
        return key.value if isinstance(key, ast.Constant) else None

    def _is_special_value(self, value: ast.AST) -> bool:
        """``ip = get_ipython()``, ``b = __import__('builtins')``, ``m = sys.modules[...]``, ``x = pd``."""
        if isinstance(value, ast.Call):
            return _dotted(value.func) in ("get_ipython", "__import__", "importlib.import_module")
        if isinstance(value, (ast.Name, ast.Attribute, ast.Subscript)):
            return _root(value) in self.aliases
        return False

    def visit_Assign(self, node):
        for t in node.targets:
            self._target(t, node.value)
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        self._target(node.target)
        self.generic_visit(node)

    def visit_AnnAssign(self, node):
        self._target(node.target, node.value)
        self.generic_visit(node)

    def visit_Delete(self, node):
        for t in node.targets:
            self._target(t)
        self.generic_visit(node)

    def visit_NamedExpr(self, node):
        self._target(node.target, node.value)
        self.generic_visit(node)

    def visit_For(self, node):
        self._target(node.target)
        self.generic_visit(node)

    visit_AsyncFor = visit_For

    def visit_With(self, node):
        for item in node.items:
            if item.optional_vars is not None:
                self._target(item.optional_vars)
        self.generic_visit(node)

    visit_AsyncWith = visit_With

    def visit_Import(self, node):
        self._import(node)

    def visit_ImportFrom(self, node):
        self._import(node)

    def _import(self, node):
        modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
        if any(m.split(".")[0] == "ctypes" for m in modules):
            self.flag(node, "imports ctypes (direct memory access)")
        for name, what in _imported(node):
            if name == "*":
                self.flag(node, f"star-imports from {what[:-2]} (may rebind names the tests use)")
            elif self.given.get(name) != what:  # re-importing what the master imports is harmless
                self._bind(node, name)
            self.aliases.add(name)

    def _scope(self, node, name: str | None):
        if name is not None:
            self._bind(node, name)
        saved = self.globals
        self.globals = {n for stmt in ast.walk(node) if isinstance(stmt, ast.Global) for n in stmt.names}
        self.depth += 1
        for decorator in getattr(node, "decorator_list", []):
            self.visit(decorator)
        for stmt in node.body:
            self.visit(stmt)
        self.depth -= 1
        self.globals = saved

    def visit_FunctionDef(self, node):
        self._scope(node, node.name)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        self._scope(node, node.name)

    def visit_Lambda(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    def visit_Attribute(self, node):
        if node.attr in _FRAME_ATTRS:
            self.flag(node, f"reads the interpreter's stack frames (`.{node.attr}`)")
        self.generic_visit(node)

    # -- calls ------------------------------------------------------------
    def visit_Call(self, node):
        name = _dotted(node.func)
        if name in _FRAME_CALLS or name.endswith("._getframe"):
            self.flag(node, f"reads the interpreter's stack frames ({name}())")
        if name in ("setattr", "delattr") and node.args:
            if _root(node.args[0]) in self.aliases or isinstance(node.args[0], ast.Call):
                self.flag(node, f"calls {name}() on `{_dotted(node.args[0])}`")
        elif name in _HOOKS:
            self.flag(node, f"installs a hook with {name}()")
        elif name in _DYNAMIC and node.args and not isinstance(node.args[0], ast.Constant):
            self.flag(node, f"runs dynamically built code with {name}()")
        elif isinstance(node.func, ast.Attribute) and node.func.attr in _DICT_MUTATORS:
            owner = node.func.value
            owner_dotted = _dotted(owner)
            if (
                _root(owner) == "__builtins__"
                or owner_dotted in ("builtins.__dict__", "vars(builtins)", "sys.modules")
                or owner_dotted.endswith(".__dict__")
                and _root(owner) in self.aliases
                or isinstance(owner, ast.Call)
                and _dotted(owner.func) in ("vars", "globals")
                and (
                    not owner.args
                    or _root(owner.args[0]) in self.aliases
                    or self._is_special_value(owner.args[0])
                )
            ):
                self.flag(node, f"changes `{owner_dotted}` with .{node.func.attr}()")
        self.generic_visit(node)
