"""The drivers: run the per-video jobs with bounded concurrency, sync and async."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
from collections.abc import AsyncIterator, Callable, Generator, Iterable, Iterator
from pathlib import Path
from typing import Any

from memories_client._warnings import warn
from memories_client.errors import MemoriesInputError
from memories_client.uploads import avideo_part, is_local, video_part
from memories_client.video_scenes.calls import (
    SceneAsker,
    VideoFailure,
    VideoLoadWarning,
    VideoResult,
)
from memories_client.video_scenes.cost import _Spending
from memories_client.video_scenes.job import _Ask, _job, _Probe, _resume, _Step
from memories_client.video_scenes.options import SceneOptions
from memories_client.video_scenes.sources import VideoSource, known_duration

__all__ = [
    "adescribe_videos",
    "describe_videos",
]


def _check_local(source: VideoSource, family: str, options: SceneOptions) -> None:
    """Refuse, before any request, a local video that cannot be sent."""
    content = source.content
    if not is_local(content):
        return
    if isinstance(content, Path) and not content.is_file():
        raise MemoriesInputError(f"the video file {content} does not exist")
    if options.uploader is None:
        # The same check video_part makes, run early so that nothing is sent first.
        from memories_client.catalog import FAMILIES

        info = FAMILIES.get(family)
        if info is None or not info.video_base64_allowed:
            raise MemoriesInputError(
                f"{source.label} is a local video, and {family} models take video only by URL: "
                "pass uploader=MemoriesAssetUploader() or uploader=S3Uploader('<bucket>') (from "
                "memories_client.uploads), or publish the file and pass its URL"
            )


class _Progress:
    """An optional tqdm bar over videos; uploads show their progress in its postfix."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.bar: Any = None
        self.failed = 0
        if not enabled:
            return
        try:
            from tqdm import tqdm
        except ImportError:
            warn(
                "show_progress=True needs tqdm (pip install tqdm); loading without a progress bar",
                UserWarning,
            )
            return
        self.bar = tqdm(total=total, unit="video", desc="videos")

    def upload_bar(self, label: str) -> Callable[[int, int], None] | None:
        bar = self.bar
        if bar is None:
            return None
        name = Path(label).name

        def progress(sent: int, total: int) -> None:
            # One line for everything: a second bar would need cursor moves that logs and
            # saved notebook outputs show as garbage.
            done = sent >= total
            bar.set_postfix_str("" if done else f"uploading {name} {100 * sent // total}%")

        return progress

    def done(self, failed: bool) -> None:
        self.failed += failed
        if self.bar is not None:
            if failed:
                self.bar.set_postfix(failed=self.failed, refresh=False)
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _handle_failure(
    failure: VideoFailure, options: SceneOptions, failures: list[VideoFailure] | None
) -> None:
    if options.on_error == "raise":
        raise failure.error
    if options.on_error == "skip":
        warn(
            f"skipped video {failure.source}: {type(failure.error).__name__}: {failure.error}",
            VideoLoadWarning,
        )
    elif failures is not None:
        failures.append(failure)


def _start(sources: list[VideoSource], asker: SceneAsker, options: SceneOptions) -> None:
    """Checks that must pass before any request: ``max_cost`` has a price; local sources."""
    options.check_model(asker.model)
    if options.on_error == "raise":
        for source in sources:
            _check_local(source, asker.family, options)


def describe_videos(
    sources: Iterable[VideoSource],
    asker: SceneAsker,
    options: SceneOptions,
    failures: list[VideoFailure] | None = None,
) -> Iterator[VideoResult]:
    """Load videos with a sync model: results in source order, failures per ``on_error``.

    Model calls and uploads run in a thread pool of ``max_concurrency`` workers (each with the
    caller's context, so LangChain callbacks and tracing follow the calls); at most that many
    videos are in progress at once.

    Example:
        >>> from memories_client import Usage
        >>> from memories_client.video_scenes import SceneAnswer, SceneOptions, video_sources
        >>> class Canned:
        ...     family, model = "gemini", "gemini:gemini-2.5-flash"
        ...     def ask(self, call):
        ...         return SceneAnswer(data={"duration_s": 9, "summary": "A dog.", "scenes": [
        ...             {"start_s": 0, "end_s": 9, "description": "A dog runs.", "objects": [],
        ...              "on_screen_text": [], "speech": None}]}, usage=Usage(1000, 50, 1050))
        ...     async def aask(self, call):
        ...         return self.ask(call)
        >>> [result] = describe_videos(video_sources("https://x.test/dog.mp4"), Canned(),
        ...                            SceneOptions())
        >>> [r.metadata["kind"] for r in result.records], result.records[1].text
        (['summary', 'scene'], '00:00-00:09: A dog runs.')
    """
    sources = list(sources)
    _start(sources, asker, options)
    spending = _Spending(options.cost_limit)
    progress = _Progress(len(sources), options.show_progress)
    executor = concurrent.futures.ThreadPoolExecutor(
        max_workers=options.max_concurrency, thread_name_prefix="memories-video"
    )
    jobs: dict[
        int,
        tuple[Generator[list[_Step], list[Any], VideoResult], list[concurrent.futures.Future[Any]]],
    ] = {}
    finished: dict[int, VideoResult | VideoFailure] = {}
    next_source = next_out = 0

    def run(step: _Step, label: str) -> Any:
        if isinstance(step, _Ask):
            return asker.ask(step.call)
        if isinstance(step, _Probe):
            return known_duration(step.source)
        _check_local(step.source, asker.family, options)
        return video_part(
            step.source.content,
            step.source.mime_type,
            family=asker.family,
            uploader=options.uploader,
            progress=progress.upload_bar(label),
        )

    def advance(index: int, outcome: list[Any] | BaseException | None) -> None:
        gen = jobs[index][0]
        source = sources[index]
        try:
            steps = _resume(gen, outcome)
        except StopIteration as stop:
            finished[index] = stop.value
            del jobs[index]
            progress.done(False)
            return
        except Exception as exc:  # a failed video never loses the others
            finished[index] = VideoFailure(source.label, index, exc)
            del jobs[index]
            progress.done(True)
            return
        futures = [
            executor.submit(contextvars.copy_context().run, run, step, source.label)
            for step in steps
        ]
        jobs[index] = (gen, futures)

    try:
        while next_out < len(sources):
            while next_source < len(sources) and len(jobs) < options.max_concurrency:
                job = _job(next_source, sources[next_source], asker, options, spending)
                jobs[next_source] = (job, [])
                advance(next_source, None)
                next_source += 1
            while next_out in finished:
                item = finished.pop(next_out)
                next_out += 1
                if isinstance(item, VideoFailure):
                    _handle_failure(item, options, failures)
                else:
                    yield item
            if not jobs:
                continue
            waiting = [f for _, futures in jobs.values() for f in futures]
            concurrent.futures.wait(waiting, return_when=concurrent.futures.FIRST_COMPLETED)
            for index, (_, futures) in list(jobs.items()):
                if futures and all(f.done() for f in futures):
                    errors = [f.exception() for f in futures if f.exception() is not None]
                    if errors:
                        advance(index, errors[0])
                    else:
                        advance(index, [f.result() for f in futures])
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        for gen, _ in jobs.values():
            gen.close()
        progress.close()


async def adescribe_videos(
    sources: Iterable[VideoSource],
    asker: SceneAsker,
    options: SceneOptions,
    failures: list[VideoFailure] | None = None,
) -> AsyncIterator[VideoResult]:
    """Async :func:`describe_videos`: ``max_concurrency`` calls and uploads in flight at once.

    Example:
        >>> import asyncio
        >>> from memories_client.video_scenes import SceneAnswer, SceneOptions, video_sources
        >>> class Canned:
        ...     family, model = "nova", "nova:us.amazon.nova-lite-v1:0"
        ...     def ask(self, call):
        ...         return SceneAnswer(data={"duration_s": None, "summary": "Empty.", "scenes": []})
        ...     async def aask(self, call):
        ...         return self.ask(call)
        >>> async def main():
        ...     sources = video_sources(["https://x.test/a.mp4", "https://x.test/b.mp4"])
        ...     return [r.source async for r in adescribe_videos(sources, Canned(), SceneOptions())]
        >>> asyncio.run(main())
        ['https://x.test/a.mp4', 'https://x.test/b.mp4']
    """
    sources = list(sources)
    _start(sources, asker, options)
    spending = _Spending(options.cost_limit)
    progress = _Progress(len(sources), options.show_progress)
    limit = asyncio.Semaphore(options.max_concurrency)

    async def run(step: _Step, label: str) -> Any:
        async with limit:
            if isinstance(step, _Ask):
                return await asker.aask(step.call)
            if isinstance(step, _Probe):
                return known_duration(step.source)
            _check_local(step.source, asker.family, options)
            return await avideo_part(
                step.source.content,
                step.source.mime_type,
                family=asker.family,
                uploader=options.uploader,
                progress=progress.upload_bar(label),
            )

    async def one(index: int) -> VideoResult | VideoFailure:
        source = sources[index]
        gen = _job(index, source, asker, options, spending)
        outcome: list[Any] | BaseException | None = None
        try:
            while True:
                try:
                    steps = _resume(gen, outcome)
                except StopIteration as stop:
                    progress.done(False)
                    result: VideoResult = stop.value
                    return result
                results = await asyncio.gather(
                    *(run(step, source.label) for step in steps), return_exceptions=True
                )
                errors = [r for r in results if isinstance(r, BaseException)]
                outcome = errors[0] if errors else list(results)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a failed video never loses the others
            progress.done(True)
            return VideoFailure(source.label, index, exc)
        finally:
            gen.close()

    # At most max_concurrency videos in progress; results in source order.
    tasks: dict[int, asyncio.Task[VideoResult | VideoFailure]] = {}
    try:
        for index in range(min(options.max_concurrency, len(sources))):
            tasks[index] = asyncio.ensure_future(one(index))
        for index in range(len(sources)):
            item = await tasks.pop(index)
            started = index + options.max_concurrency
            if started < len(sources):
                tasks[started] = asyncio.ensure_future(one(started))
            if isinstance(item, VideoFailure):
                _handle_failure(item, options, failures)
            else:
                yield item
    finally:
        for task in tasks.values():
            task.cancel()
        progress.close()
