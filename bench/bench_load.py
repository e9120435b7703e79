"""Load on the production server: gunicorn (2 workers) on loopback, driven by wrk.

    python -m bench.bench_load [--dataset data/ml-100k] [--seconds 60] [--connections 50]
                               [--few-connections 8] [--workdir /tmp/re-sys-load] [--skip-training-run]

Sets up a throwaway site in --workdir (SQLite file, model folder, collected
static files) with DJANGO_ENV=production, imports the dataset and trains a
model if that folder has none, then runs three loads of --seconds each:

1. pages and API mixed (home, movie pages, search, for-you, API queries);
2. the JSON API alone (recommendations, similar, also-liked, popular, prediction);
3. the API alone with --few-connections clients: with 50 clients open at once
   latency is mostly queueing (50 / throughput), so this shows the latency of
   a request that does not wait behind 49 others;
4. the mixed load again while `manage.py train` runs in the background.

Prints a Markdown table: requests/s, p50/p95/p99/max latency, errors, and the
workers' resident memory. Needs `wrk` (apt-get install wrk).
"""
from __future__ import annotations

import json
import os
import random
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.common import dataset_parser

ROOT = Path(__file__).resolve().parent.parent

LUA = """
local paths = {%s}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT {\\"requests\\": %%d, \\"duration_us\\": %%d, \\"status_errors\\": %%d, \\"socket_errors\\": %%d, "
    .. "\\"p50_us\\": %%d, \\"p95_us\\": %%d, \\"p99_us\\": %%d, \\"max_us\\": %%d}\\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


def manage(env, *args, quiet=True):
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL if quiet else None)


def prepare(workdir: Path, dataset: Path) -> dict:
    workdir.mkdir(parents=True, exist_ok=True)
    key_file = workdir / "secret-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env |= {"DJANGO_ENV": "production", "DJANGO_SECRET_KEY": key_file.read_text(),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "DJANGO_HTTPS": "0",
            "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}", "RE_SYS_DATA_DIR": str(workdir),
            "RE_SYS_MODEL_DIR": str(workdir / "model"), "DJANGO_STATIC_ROOT": str(workdir / "static"),
            "DJANGO_MEDIA_ROOT": str(workdir / "media"), "GUNICORN_ACCESS_LOG": "/dev/null",
            "DJANGO_LOG_LEVEL": "WARNING", "TF_CPP_MIN_LOG_LEVEL": "2",
            # The load asks for dataset viewers' lists and profiles, public only in demo mode,
            # from one address: the API's per-address limit would otherwise answer 429.
            "RE_SYS_DEMO": "1", "RE_SYS_API_RATE": "100000000/m"}
    manage(env, "migrate", "--noinput")
    manage(env, "import_movielens", str(dataset))
    manage(env, "collectstatic", "--noinput")
    if not (workdir / "model" / "current").exists():
        print("Training a model for the site (once per workdir)…", flush=True)
        manage(env, "train")
    return env


def paths(workdir: Path, api_only: bool, n: int = 400, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    with sqlite3.connect(workdir / "db.sqlite3") as con:
        movies = [m for (m,) in con.execute("SELECT id FROM re_sys_movie WHERE rating_count >= 5")]
        users = [u for (u,) in con.execute("SELECT id FROM re_sys_viewer")]
        words = [t.split()[0] for (t,) in con.execute("SELECT title FROM re_sys_movie LIMIT 300")]
    api = [lambda: f"/api/users/{rng.choice(users)}/recommendations?k=10",
           lambda: f"/api/movies/{rng.choice(movies)}/similar?k=10",
           lambda: f"/api/movies/{rng.choice(movies)}/also-liked?k=10",
           lambda: "/api/movies/popular?k=20",
           lambda: f"/api/movies/{rng.choice(movies)}/prediction?user={rng.choice(users)}"]
    pages = [lambda: "/", lambda: f"/movies/{rng.choice(movies)}/", lambda: "/for-you/",
             lambda: f"/search/?q={rng.choice(words)}", lambda: f"/users/{rng.choice(users)}/"]
    makers = api if api_only else api + pages
    return [rng.choice(makers)() for _ in range(n)]


def wrk(url: str, path_list: list[str], seconds: int, connections: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % ", ".join(json.dumps(p) for p in path_list))
    try:
        out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
                              "-s", script.name, url], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    result = json.loads(out.split("RESULT ", 1)[1].splitlines()[0])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def worker_rss_mib(master_pid: int) -> list[float]:
    out = subprocess.run(["ps", "--ppid", str(master_pid), "-o", "rss="], capture_output=True,
                         text=True).stdout
    return [int(v) / 1024 for v in out.split()]


def main() -> None:
    parser = dataset_parser(__doc__)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--few-connections", type=int, default=8,
                        help="The API again with this many clients: latency without a queue.")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "re-sys-load")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--skip-training-run", action="store_true")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")

    env = prepare(args.workdir, args.dataset)
    url = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
                               "dl_re_web.wsgi"], cwd=ROOT,
                              env=env | {"GUNICORN_BIND": f"127.0.0.1:{args.port}", "GUNICORN_WORKERS": "2"})
    rows = []
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/api/movies/popular?k=5", timeout=2).read()
                break
            except OSError:
                time.sleep(0.3)
        # Each worker loads the model on its first request: warm both before measuring.
        wrk(url, paths(args.workdir, False, seed=99), 5, 8)
        few = args.few_connections
        loads = [("pages + API", False, False, args.connections), ("API only", True, False, args.connections),
                 (f"API only, {few} connections", True, False, few)]
        if not args.skip_training_run:
            loads.append(("pages + API while `train` runs", False, True, args.connections))
        for label, api_only, training, connections in loads:
            trainer = None
            if training:
                trainer = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "train", "--epochs", "50"],
                                           cwd=ROOT, env=env | {"RE_SYS_MODEL_DIR": str(args.workdir / "model-bg")},
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(8)  # past TensorFlow's start-up, into the epochs
            result = wrk(url, paths(args.workdir, api_only), args.seconds, connections)
            if trainer is not None:
                result["train_still_running"] = trainer.poll() is None
                trainer.send_signal(signal.SIGTERM)
                trainer.wait()
            result["rss_mib"] = worker_rss_mib(server.pid)
            rows.append((label, result))
            print(label, json.dumps(result), flush=True)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    print(f"\n{args.dataset.name}, gunicorn 2 workers (gunicorn.conf.py), {args.connections} connections, "
          f"{args.seconds} s each\n")
    print("| load | requests/s | p50 | p95 | p99 | max | errors | worker RSS |")
    print("|---|---|---|---|---|---|---|---|")
    for label, r in rows:
        errors = r["status_errors"] + r["socket_errors"]
        rss = " + ".join(f"{v:.0f}" for v in r["rss_mib"])
        print(f"| {label} | {r['rps']:.0f} | {r['p50_us'] / 1000:.1f} ms | {r['p95_us'] / 1000:.1f} ms | "
              f"{r['p99_us'] / 1000:.1f} ms | {r['max_us'] / 1000:.0f} ms | {errors} | {rss} MiB |")


if __name__ == "__main__":
    main()
