"""The shortcuts that keep a scan linear give the answers of the plain algorithms they replace.

Speed itself is measured by benchmarks/ (never here); these tests check that each shortcut
(partial parsing, the word index, link matching at markers) changes nothing.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from model_risk.contract.source import SourceFile
from model_risk.detect import hub_urls, python_literals, python_source

CORPUS = Path(__file__).parents[1] / "corpus"


def _references(source: SourceFile, split: bool) -> list:
    return [(r.line, r.column, r.model, r.loader, r.revision, r.trust_remote_code)
            for r in python_source.python_references(source, "python", split=split)]


def test_partial_parsing_finds_what_a_whole_parse_finds_on_the_corpus():
    files = sorted(CORPUS.rglob("*.py"))
    assert files
    for path in files:
        source = SourceFile(path.name, path.read_text(encoding="utf-8"))
        assert _references(source, True) == _references(source, False), path


def _padding(count: int) -> str:
    return "".join(f"\n\ndef helper_{i}(x):\n    return x + {i}\n" for i in range(count))


def test_a_name_set_far_from_its_use_is_followed_when_parsing_in_pieces(cli, project):
    module = ('"""Search demo."""\nimport os\n\nfrom sentence_transformers import SentenceTransformer\n\n'
              'model_name = "quora-distilbert-multilingual"\n' + _padding(10) +
              "\n\ndef encode(texts):\n    model = SentenceTransformer(model_name)\n    return model.encode(texts)\n"
              + _padding(10))
    root = project({"search.py": module})
    report = cli("scan", root, "--offline", "--format", "json", "--fail-on", "never").json()
    assert [(r["model"], r["line"]) for r in report["references"]] == [("quora-distilbert-multilingual", 6)]


def test_constants_reach_loaders_in_other_statements_and_docstring_examples_are_read_as_text(cli, project):
    # The Python detector does not parse the docstring's example; the candidate pass reads it as text
    # (a loading call's first argument), and the path given to os.path.join is no model either way.
    module = ('"""Example:\n\n    >>> AutoModel.from_pretrained("acme-ai/docstring-model")\n"""\n'
              "from transformers import AutoModel\n\n"
              'BASE = "acme-ai/base-model-7b"\nCHECKPOINT = BASE\n' + _padding(10) +
              '\n\ndef load():\n    path = os.path.join("data_model/cache_path", "y.json")\n'
              "    return AutoModel.from_pretrained(CHECKPOINT), path\n" + _padding(10))
    root = project({"load.py": module})
    report = cli("scan", root, "--offline", "--format", "json", "--fail-on", "never").json()
    assert [(r["model"], r["line"], r["detector"]) for r in report["references"]] == [
        ("acme-ai/docstring-model", 3, "candidates"), ("acme-ai/base-model-7b", 7, "python")]


def test_word_index_matches_a_whole_word_search():
    text = "ab a_b ab2 xab ab\nab_ ab. (ab) é ab éab\n ab\n" * 3
    source = SourceFile("x.py", text)
    for names in (["ab"], ["ab", "a_b", "x", "é", "q", "r", "s", "t", "u", "v"]):
        fast = {k: sorted(set(v)) for k, v in python_source._word_lines(source, names).items()}
        slow = {n: sorted({source.position(m.start())[0] for m in re.finditer(rf"\b{re.escape(n)}\b", text)})
                for n in names}
        assert fast == {k: v for k, v in slow.items() if v}


def test_links_are_matched_as_the_pattern_alone_matches_them():
    rng = random.Random(1)
    parts = ["https://", "http://", "www.", "huggingface.co/", "hf.co/", "hf://", "x", "/", "a", "b-c", ".",
             "@", "\n", " ", "resolve/", "main", "datasets/", "org/", "name", "https://www.huggingface.co/"]
    for _ in range(3000):
        text = "".join(rng.choice(parts) for _ in range(rng.randint(1, 30)))
        assert [m.span() for m in hub_urls._links(text)] == [m.span() for m in hub_urls._URL.finditer(text)], text


def test_a_few_large_files_are_split_across_workers_and_give_what_one_process_gives(cli, project):
    # Three modules of about 600 KB: fewer files than the pool's file threshold, more bytes than its
    # byte threshold, so `-j 2` sends them to worker processes.
    body = "".join(f'DATA_{i} = os.path.join("data/p{i}", "y.json")\n' for i in range(14000))
    files = {f"m{i}.py": f'from transformers import AutoModel\nimport os\n{body}'
             f'M = AutoModel.from_pretrained("acme-ai/model-{i}b")\n' for i in range(3)}
    assert all(len(text) > 600_000 for text in files.values())
    root = project(files)
    reports = [cli("scan", root, "--offline", "--format", "json", "--fail-on", "never", "-j", jobs).json()
               for jobs in ("1", "2")]
    assert reports[0]["references"] == reports[1]["references"]
    assert sorted(r["model"] for r in reports[1]["references"]) == ["acme-ai/model-0b", "acme-ai/model-1b",
                                                                    "acme-ai/model-2b"]


def test_every_key_that_can_mean_a_model_holds_an_anchor():
    # text_models skips command lines without an anchor; that is only safe if no key that means a model
    # lacks one.
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from model_risk.detect import model_names

    assert all(model_names.could_hold_model_key(key) for key in model_names._STRICT_KEYS)
    vocabulary = sorted(model_names._MODEL_WORDS | model_names._REPO_WORDS | model_names._GENERIC_WORDS
                        | model_names._BLOCKING_WORDS | {"my", "x", "serve", "main"})
    word = st.sampled_from(vocabulary) | st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=6)
    style = st.sampled_from(["_", "-", ".", "camel", "upper"])

    @settings(max_examples=2000, deadline=None)
    @given(st.lists(word, min_size=1, max_size=4), style, st.booleans())
    def check(words, how, plural):
        words = [*words[:-1], words[-1] + "s"] if plural else words
        if how == "camel":
            key = words[0] + "".join(w.title() for w in words[1:])
        elif how == "upper":
            key = "_".join(words).upper()
        else:
            key = how.join(words)
        path = key.split(".")
        if model_names.meaning(path) is not model_names.Meaning.NONE:
            assert model_names.could_hold_model_key(key.lower()), key

    check()


def test_command_lines_name_the_same_models_with_or_without_the_anchor_shortcut(monkeypatch):
    from model_risk.detect import commands, model_names

    lines = ["python -m acme.worker --input data/worker/raw --output data/worker/clean --workers 8",
             "vllm serve Qwen/Qwen2.5-7B-Instruct", "hf download acme-ai/x-7b", "--mo\\del acme-ai/x-7b",
             "MODEL=acme-ai/x-7b python run.py", "llama-server -hf bartowski/x-GGUF:Q4_K_M",
             "for ckpt in acme-ai/a-1 acme-ai/b-2; do echo $ckpt; done", "ENV BASE acme-ai/x-7b",
             "curl -d '{\"model\": \"acme-ai/x-7b\"}' http://localhost", "trtllm-serve acme-ai/x-7b",
             "docker run --gpus all acme-ai/x-7b --port 8000", "python train.py --teacher acme-ai/x-7b"]
    for path in sorted(CORPUS.rglob("*")):
        if path.is_file() and path.suffix in (".md", ".sh", ".py", ".yaml", ".yml", ".txt", ".ipynb", ""):
            lines += path.read_text(encoding="utf-8", errors="replace").splitlines()

    def found(line):
        return [(f.offset, f.name.model, f.loader, f.confidence) for f in commands.text_models(line)]

    with_shortcut = [found(line) for line in lines]
    assert sum(map(bool, with_shortcut)) >= 10
    monkeypatch.setattr(model_names, "could_hold_model_key", lambda lowered: True)
    assert [found(line) for line in lines] == with_shortcut


def _word_before_char_by_char(text, end):
    # the plain loop python_literals._word_before replaced (strips in C now)
    while end > 0 and text[end - 1] in " \t":
        end -= 1
    begin = end
    while begin > 0 and end - begin < 100 and text[begin - 1] in python_literals._IDENT_STRING:
        begin -= 1
    word = text[begin:end].rsplit(".", 1)[-1]
    if not word or word[0].isdigit() or (begin > 0 and not text[begin - 1].isascii()):
        return "", begin
    return word, begin


def test_the_word_before_a_literal_is_the_plain_loops():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    pieces = st.sampled_from(list("ab_.9 \t(,=é") + ["x" * 60])  # long runs reach the 100-character cap

    @settings(max_examples=3000, deadline=None)
    @given(st.lists(pieces, max_size=40).map("".join), st.data())
    def check(text, data):
        end = data.draw(st.integers(0, len(text)))
        assert python_literals._word_before(text, end) == _word_before_char_by_char(text, end)

    check()


def test_comments_org_names_and_bare_words_are_found_as_the_plain_loops_find_them():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from model_risk.detect import candidates, model_names, prose

    old_comment = re.compile(r"(?:^|(?<=[ \t]))#([^\n]*)", re.MULTILINE)

    def slashed_words_char_by_char(text):
        for position, char in enumerate(text):
            if char != "/" or position + 1 >= len(text) or text[position + 1] not in candidates._ID_START:
                continue
            name = text[position + 1]
            while position + 1 + len(name) < len(text) and text[position + 1 + len(name)] in candidates._ID_CHARS:
                name += text[position + 1 + len(name)]
            if len(name) > 96 or text[position + 1 + len(name):position + 2 + len(name)] == "/":
                continue  # too long for a name, or a path goes on
            if position == 0 or text[position - 1] not in candidates._ID_CHARS:
                continue
            start = position
            while start > 0 and position - start < 97 and text[start - 1] in candidates._ID_CHARS:
                start -= 1
            if position - start <= 96 and text[start] in candidates._ID_START \
                    and (start == 0 or text[start - 1] not in candidates._NOT_BEFORE):
                yield start, position, name

    pieces = st.sampled_from(["#", "/", " ", "\t", "\n", "\r", "a", "Z", "9", "-", ".", ":", "@", "é",
                              "gpt2", "acme-ai", "Qwen", "x" * 50, "model: "])

    @settings(max_examples=2000, deadline=None)
    @given(st.lists(pieces, max_size=60).map("".join))
    def check(text):
        spans = [(m.start(1), m.end(1)) for m in old_comment.finditer(text)]
        assert prose.hash_comments(text) == prose.keep_spans(text, spans)
        assert list(candidates._slashed(text)) == list(slashed_words_char_by_char(text))
        assert model_names.bare_candidate(text) == _bare_candidate_char_by_char(text)

    check()


def _bare_candidate_char_by_char(text):
    from model_risk.detect import model_names

    position = text.find("/")
    while position >= 0:
        start = position
        while start > 0 and position - start < 120 and text[start - 1] in model_names._ID_STRING:
            start -= 1
        right = model_names._RIGHT_OF_SLASH.match(text, position + 1)
        end = right.end() if right else position + 1
        if start < position and right and model_names.could_be_model(text[start:end].strip("./-:")):
            return True
        position = text.find("/", end)
    if any(hint in text for hint in model_names.value_hints()):
        return any(model_names.could_be_model(m.group()) for m in model_names._bare_hint().finditer(text))
    return False


def test_the_candidate_pass_reads_short_lines_whole_and_long_ones_in_windows(monkeypatch):
    from model_risk.detect import candidates

    def found(text: str) -> list:
        return list(candidates.find_candidates(text))

    files = [p for p in sorted(CORPUS.rglob("*")) if p.is_file() and p.suffix != ".json"]
    assert files
    windowed = {path: found(path.read_text(encoding="utf-8", errors="replace")) for path in files}
    # One line of many ids (a minified bundle, a one-line JSON): each judged on its own stretch.
    entries = ", ".join(f'{{"model": "acme-lab/chat-{i}b", "revision": "r{i:04d}"}}' for i in range(2000))
    long_line = f'{{"servers": [{entries}]}}\n'
    in_windows = found(long_line)
    monkeypatch.setattr(candidates, "LINE_WINDOW", 10**9)  # every line read whole, as before the windows
    for path, expected in windowed.items():
        assert found(path.read_text(encoding="utf-8", errors="replace")) == expected, path
    whole = found(long_line)
    # Ids and how sure the pass is of them do not depend on the windows. (Which revision an id gets on
    # a line of many differs: the first one in the stretch read, whole line or window; see _attributes.)
    assert [(c.start, c.model, c.confidence, c.context) for c in in_windows] == \
        [(c.start, c.model, c.confidence, c.context) for c in whole]
    assert [c.model for c in in_windows] == [f"acme-lab/chat-{i}b" for i in range(2000)]
