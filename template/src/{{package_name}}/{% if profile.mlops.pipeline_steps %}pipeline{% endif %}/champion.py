"""The service side of the registry: serve `models:/<name>@champion`, re-resolve the alias on an
interval, and swap the served model atomically when it moved (promotion or rollback), without a
redeploy. With no registry or no champion yet, the service keeps its built-in default and says so
in /readyz and the logs. During an A/B test a second watcher follows the `challenger` alias the
same way (its fallback: the challenger configured in the settings).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from ..ab import Variant
from ..settings import Settings

logger = logging.getLogger(__name__)

T = TypeVar("T")


class ChampionWatcher(Generic[T]):
    """`load(uri)` builds the served object from a registry URI; `apply(obj, version)` swaps it
    in (one attribute assignment, so requests see the old or the new model, never a mix)."""

    def __init__(
        self,
        settings: Settings,
        load: Callable[[str], T],
        apply: Callable[[T, str], None],
        *,
        alias: str = "champion",
        fallback: str = "built-in default",
    ) -> None:
        self.settings = settings
        self.load = load
        self.apply = apply
        self.alias = alias
        self.fallback = fallback  # what is served until the alias resolves (for /readyz)
        self.version: str | None = None
        self.readiness: dict[str, Any] = {"ok": True, "source": fallback}
        self._task: asyncio.Task[None] | None = None

    def _registry_exists(self) -> bool:
        from .registry import local_store_path

        store = local_store_path(self.settings.mlflow_tracking_uri)
        return store is None or store.is_file()

    def _resolve(self) -> str | None:
        """The alias's version number (cheap: one registry call), or None."""
        from .registry import Registry

        registry = Registry(self.settings.mlflow_tracking_uri, self.settings.registered_model_name)
        found = registry.by_alias(self.alias)
        return str(found.version) if found is not None else None

    def _fallback(self, reason: str) -> None:
        if self.version is None:
            self.readiness.update(
                {"ok": True, "source": self.fallback, self.alias: None, "reason": reason}
            )

    async def refresh(self) -> bool:
        """Re-resolve the alias; load and swap in the champion when it changed. True if swapped."""
        name = self.settings.registered_model_name
        if not await asyncio.to_thread(self._registry_exists):
            self._fallback(f"no model registry at {self.settings.mlflow_tracking_uri} yet")
            return False
        try:
            version = await asyncio.to_thread(self._resolve)
            if version is None:
                self._fallback(f"{name} has no {self.alias} yet")
                return False
            if version == self.version:
                return False
            served = await asyncio.to_thread(self.load, f"models:/{name}/{version}")
        except Exception as exc:  # keep serving what we have; say why in /readyz
            logger.exception("model registry: could not resolve or load %s@%s", name, self.alias)
            self.readiness["registry_error"] = f"{type(exc).__name__}: {exc}"
            self._fallback("the registry could not be read")
            return False
        self.apply(served, version)
        previous, self.version = self.version, version
        self.readiness.clear()
        self.readiness.update({"ok": True, "source": "registry", self.alias: f"{name} v{version}"})
        logger.info(
            "serving %s v%s (%s; was %s)", name, version, self.alias, previous or self.fallback
        )
        return True

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.settings.model_refresh_seconds)
            await self.refresh()

    async def start(self) -> None:
        await self.refresh()
        if self.version is None:
            logger.warning(
                "model registry: %s; serving the %s",
                self.readiness.get("reason", f"no {self.alias}"),
                self.fallback,
            )
        if self.settings.model_refresh_seconds > 0:
            self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


async def watch_variants(
    settings: Settings,
    load: Callable[[str], T],
    apply: Callable[[Variant, T, str], None],
    readiness: dict[str, Any],
    *,
    challenger_fallback: str | None,
) -> list[ChampionWatcher[T]]:
    """Start a watcher of the `champion` alias and, during an A/B test (a `challenger_fallback`
    is given: what the challenger serves without the alias), one of the `challenger` alias.
    Their states appear in /readyz as `registry` and `challenger_registry`."""
    aliases: dict[Variant, str] = {"champion": "built-in default"}
    if challenger_fallback is not None:
        aliases["challenger"] = challenger_fallback
    watchers: list[ChampionWatcher[T]] = []
    for variant, fallback in aliases.items():
        watcher = ChampionWatcher(
            settings,
            load,
            functools.partial(apply, variant),
            alias=variant,
            fallback=fallback,
        )
        await watcher.start()
        readiness["registry" if variant == "champion" else "challenger_registry"] = (
            watcher.readiness
        )
        watchers.append(watcher)
    return watchers
