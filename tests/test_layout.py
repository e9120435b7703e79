"""The rules of the house, checked on the whole tree.

1. `re_sys/recommend/` is plain Python: no module under it imports Django.
2. The web process never imports TensorFlow: after the URL map is loaded and
   every page and API route has answered once, neither `tensorflow` nor
   `keras` is in `sys.modules` (in a fresh interpreter, since other tests
   train models in this one).
3. No import cycle: the modules' import-time imports form a tree of floors.
"""
import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "re_sys" / "recommend"


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def test_nothing_in_the_recommender_core_imports_django():
    offenders = sorted(f"{path.relative_to(ROOT)}: {name}" for path in CORE.rglob("*.py")
                       for name in _imports(path) if name.split(".")[0] == "django")
    assert offenders == []


def test_no_module_of_the_core_imports_the_rest_of_the_site():
    offenders = sorted(f"{path.relative_to(ROOT)}: {name}" for path in CORE.rglob("*.py")
                       for name in _imports(path)
                       if name.startswith(("re_sys.services", "re_sys.views", "re_sys.models", "dl_re_web")))
    assert offenders == []


SCRIPT = r"""
import sys
from pathlib import Path
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from re_sys.models import Genre, Movie, Rating, Viewer
from re_sys.recommend.serving.runs import switch_current
from tests.recommend.fake_run import two_kinds_run
comedy = Genre.objects.create(name="Comedy")
for m in range(1, 11):
    Movie.objects.create(id=m, title=f"Film {m}", year=1995, rating_count=1, rating_mean=4).genres.add(comedy)
Viewer.objects.create(id=1)
Rating.objects.create(viewer_id=1, movie_id=1, stars=4.5, timestamp=1)
model_dir = Path(sys.argv[1])
switch_current(model_dir, two_kinds_run(model_dir / "runs" / "r"))
user = get_user_model().objects.create_user("root", password="x", is_staff=True, is_superuser=True)
client = Client(raise_request_exception=False)
client.force_login(user)
values = {"movie_id": "1", "user_id": "1", "year": "1995", "name": "Comedy", "token_id": "1", "path": "x"}

def walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)

answered = 0
for route in walk(get_resolver().url_patterns):
    if route.startswith("^") or "(?P" in route:
        continue  # regular-expression routes (static media): nothing of the model behind them
    url = "/" + route
    for key, value in values.items():
        for converter in ("int", "str", "path"):
            url = url.replace(f"<{converter}:{key}>", value)
    response = client.get(url)
    assert response.status_code < 500, (url, response.status_code)
    answered += 1
loaded = sorted(name for name in ("tensorflow", "keras") if name in sys.modules)
print(answered, " ".join(loaded) or "-")
"""


def test_answering_every_route_never_imports_tensorflow(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env |= {"DJANGO_SETTINGS_MODULE": "dl_re_web.settings", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "RE_SYS_MODEL_DIR": str(tmp_path / "model"), "RE_SYS_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "model")], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    answered, loaded = done.stdout.split()[-2:]
    assert int(answered) > 30 and loaded == "-"


def _module_graph(package: Path) -> dict[str, set[str]]:
    """Each module of `package` -> the modules of it that it imports when it is imported (top level)."""
    def name_of(path: Path) -> str:
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        return name.removesuffix(".__init__")
    modules = {name_of(p): p for p in package.rglob("*.py") if "migrations" not in p.parts}
    graph = {}
    for name, path in modules.items():
        here = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = set()
        for node in ast.parse(path.read_text(), filename=str(path)).body:
            if isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                parts = here.split(".")[: len(here.split(".")) - node.level + 1] if node.level else []
                base = ".".join(parts + ([node.module] if node.module else []))
                targets |= {base} | {f"{base}.{alias.name}" for alias in node.names}
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected parts of more than one module (Tarjan's algorithm, iterative)."""
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            step = next(edges, None)
            if step is not None:
                if step not in index:
                    index[step] = low[step] = counter
                    counter += 1
                    stack.append(step)
                    on_stack.add(step)
                    work.append((step, iter(sorted(graph[step]))))
                elif step in on_stack:
                    low[node] = min(low[node], index[step])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                part = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    part.append(member)
                    if member == node:
                        break
                if len(part) > 1:
                    found.append(sorted(part))
    return found


def test_no_import_cycle_in_the_site():
    assert _cycles(_module_graph(ROOT / "re_sys")) == []
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]   # the check itself
