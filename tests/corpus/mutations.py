"""Structural edits of one function of the reference: corpus bugs that survive a rewrite.

`Mutate(file, function, rule)` parses the file, applies `rule` (an AST transformation) to the
top-level function or `Class.method` named `function`, and writes that function back
(`ast.unparse`, its comments and docstring dropped); the rest of the file is kept as it is. The rules
match code by its structure, not its text: `next_h = np.tanh(x @ Wx + prev_h @ Wh + b)` and
`a = x @ Wx + prev_h @ Wh + b` / `next_h = np.tanh(a)` lose their tanh alike, spacing and
parentheses never matter, and numbers compare by value (1 and 1.0 match).

A rule that finds nothing to change raises EditError naming the function and what it looked
for: the reference was rewritten beyond what the rule knows, and the case must be updated.

Rules (`target`: only inside statements assigning that name):
    Expr(pattern, replacement, target=None)   every expression equal to `pattern`
    Unwrap(call)                              f(a, ...) -> a for calls of `call` ("np.tanh")
    SwapCall(call, other, target=None)        calls of `call` become calls of `other`
    DropTerm(name, target=None)               a + name, name + a -> a (and a - name -> a)
    DropFactor(name, target=None)             a * name, name * a -> a
    Rename(name, replacement, target=None)    every read of the variable `name`
    CallArg(call, index, replacement)         the index-th positional argument of `call`
    SwapAssigned(a, b)                        the values assigned to `a` and to `b` exchanged
    InsertAfter(target, statement)            after the first statement assigning `target`
    AddAtToIndexedAdd()                       np.add.at(A, i, v) -> A[i] += v
"""
from __future__ import annotations

import ast
import copy
import textwrap
from dataclasses import dataclass

from .spec import EditError


def _parse_expr(code: str) -> ast.expr:
    return ast.parse(code, mode="eval").body


def _same(a, b) -> bool:
    """Structural equality of two AST nodes (contexts and positions ignored, numbers by value)."""
    if isinstance(a, ast.Constant) and isinstance(b, ast.Constant):
        numbers = [type(v) in (int, float) for v in (a.value, b.value)]
        return a.value == b.value and (all(numbers) or type(a.value) is type(b.value))
    if type(a) is not type(b):
        return False
    if isinstance(a, ast.AST):
        return all(_same(getattr(a, f, None), getattr(b, f, None)) for f in a._fields if f != "ctx")
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def _assigns(stmt, name: str) -> bool:
    targets = stmt.targets if isinstance(stmt, ast.Assign) else \
        [stmt.target] if isinstance(stmt, (ast.AugAssign, ast.AnnAssign)) else []
    return any(isinstance(n, ast.Name) and n.id == name for t in targets for n in ast.walk(t))


class Rule(ast.NodeTransformer):
    """A transformation counting its changes; `target` confines it to assignments of a name."""

    target: str | None = None

    def __init__(self):
        self.changed = 0

    def run(self, func: ast.FunctionDef) -> None:
        if self.target is None:
            func.body = [self.visit(s) for s in func.body]
            return
        for stmt in ast.walk(func):
            if isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and _assigns(stmt, self.target):
                stmt.value = self.visit(stmt.value)

    def describe(self) -> str:
        raise NotImplementedError

    def where(self) -> str:
        return f" in the assignment to {self.target}" if self.target else ""


class Expr(Rule):
    def __init__(self, pattern: str, replacement: str, target: str | None = None):
        super().__init__()
        self.pattern, self.replacement, self.target = pattern, replacement, target

    def visit(self, node):
        if isinstance(node, ast.expr) and _same(node, _parse_expr(self.pattern)):
            self.changed += 1
            return _parse_expr(self.replacement)
        return self.generic_visit(node)

    def describe(self):
        return f"no expression {self.pattern}{self.where()}"


class Unwrap(Rule):
    def __init__(self, call: str, target: str | None = None):
        super().__init__()
        self.call, self.target = call, target

    def visit_Call(self, node):
        self.generic_visit(node)
        if ast.unparse(node.func) == self.call and node.args:
            self.changed += 1
            return node.args[0]
        return node

    def describe(self):
        return f"no call of {self.call}{self.where()}"


class SwapCall(Rule):
    def __init__(self, call: str, other: str, target: str | None = None):
        super().__init__()
        self.call, self.other, self.target = call, other, target

    def visit_Call(self, node):
        self.generic_visit(node)
        if ast.unparse(node.func) == self.call:
            node.func = _parse_expr(self.other)
            self.changed += 1
        return node

    def describe(self):
        return f"no call of {self.call}{self.where()}"


class _DropOperand(Rule):
    ops: tuple = ()

    def __init__(self, name: str, target: str | None = None):
        super().__init__()
        self.name, self.target = name, target

    def visit_BinOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, self.ops):
            is_name = lambda n: isinstance(n, ast.Name) and n.id == self.name  # noqa: E731
            if is_name(node.right):
                self.changed += 1
                return node.left
            if is_name(node.left) and not isinstance(node.op, ast.Sub):
                self.changed += 1
                return node.right
        return node


class DropTerm(_DropOperand):
    ops = (ast.Add, ast.Sub)

    def describe(self):
        return f"no term + {self.name}{self.where()}"


class DropFactor(_DropOperand):
    ops = (ast.Mult,)

    def describe(self):
        return f"no factor * {self.name}{self.where()}"


class Rename(Rule):
    def __init__(self, name: str, replacement: str, target: str | None = None):
        super().__init__()
        self.name, self.replacement, self.target = name, replacement, target

    def visit_Name(self, node):
        if node.id == self.name and isinstance(node.ctx, ast.Load):
            self.changed += 1
            return _parse_expr(self.replacement)
        return node

    def describe(self):
        return f"no use of {self.name}{self.where()}"


class CallArg(Rule):
    def __init__(self, call: str, index: int, replacement: str):
        super().__init__()
        self.call, self.index, self.replacement = call, index, replacement

    def visit_Call(self, node):
        self.generic_visit(node)
        if ast.unparse(node.func) == self.call and len(node.args) > self.index:
            node.args[self.index] = _parse_expr(self.replacement)
            self.changed += 1
        return node

    def describe(self):
        return f"no call of {self.call} with an argument {self.index + 1}"


class SwapAssigned(Rule):
    def __init__(self, a: str, b: str):
        super().__init__()
        self.a, self.b = a, b

    def run(self, func):
        found = {}
        for stmt in ast.walk(func):
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) \
                    and stmt.targets[0].id in (self.a, self.b):
                found.setdefault(stmt.targets[0].id, stmt)
        if len(found) == 2:
            found[self.a].value, found[self.b].value = found[self.b].value, found[self.a].value
            self.changed += 1

    def describe(self):
        return f"no single assignments to both {self.a} and {self.b}"


class InsertAfter(Rule):
    def __init__(self, target: str, statement: str):
        super().__init__()
        self.after, self.statement = target, statement

    def run(self, func):
        for node in ast.walk(func):
            for field in ("body", "orelse"):
                body = getattr(node, field, None)
                if not isinstance(body, list):
                    continue
                for k, stmt in enumerate(body):
                    if isinstance(stmt, ast.stmt) and _assigns(stmt, self.after):
                        body.insert(k + 1, ast.parse(self.statement).body[0])
                        self.changed += 1
                        return

    def describe(self):
        return f"no assignment to {self.after}"


class AddAtToIndexedAdd(Rule):
    def visit_Expr(self, node):
        call = node.value
        if isinstance(call, ast.Call) and ast.unparse(call.func) == "np.add.at" and len(call.args) == 3:
            self.changed += 1
            array, index, values = call.args
            return ast.AugAssign(target=ast.Subscript(value=array, slice=index, ctx=ast.Store()),
                                 op=ast.Add(), value=values)
        return node

    def describe(self):
        return "no call np.add.at(array, indices, values)"


@dataclass(frozen=True)
class Mutate:
    file: str
    function: str          # "rnn_step_forward" or "CaptioningRNN.loss"
    rule: Rule

    def apply(self, text: str) -> str:
        try:
            tree = ast.parse(text)
        except SyntaxError as exc:
            raise EditError(f"{self.file} does not parse (line {exc.lineno}: {exc.msg})") from None
        node = _find(tree, self.function)
        if node is None:
            raise EditError(f"{self.file}: no function {self.function}")
        func = copy.deepcopy(node)
        rule = copy.deepcopy(self.rule)
        rule.run(func)
        if not rule.changed:
            raise EditError(f"{self.file}, {self.function}: {rule.describe()}")
        if ast.get_docstring(func) is not None:     # its lines would gain the indentation below
            func.body = func.body[1:] or [ast.Pass()]
        ast.fix_missing_locations(func)
        lines = text.splitlines(keepends=True)
        start = (node.decorator_list[0] if node.decorator_list else node).lineno - 1
        indent = lines[start][:len(lines[start]) - len(lines[start].lstrip())]
        code = textwrap.indent(ast.unparse(func), indent)
        return "".join(lines[:start]) + code + "\n" + "".join(lines[node.end_lineno:])


def _find(tree, qualname: str):
    scope = tree.body
    node = None
    for part in qualname.split("."):
        node = next((n for n in scope if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name == part), None)
        if node is None:
            return None
        scope = node.body
    return node if isinstance(node, ast.FunctionDef) else None
