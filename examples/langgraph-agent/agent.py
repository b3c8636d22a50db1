"""A small LangGraph agent over the platform's MCP servers (tools from MultiServerMCPClient).

The chat model is configurable:
  AGENT_CHAT_MODEL=module:Class   e.g. langchain_openai:ChatOpenAI (install it yourself),
  AGENT_CHAT_MODEL_KWARGS='{"model": "gpt-4o"}'
  AGENT_CHAT_MODEL=scripted       a scripted model (tests, demos): AGENT_SCRIPT is a JSON list
                                  of steps, {"tool": "<server>_<tool>", "args": {...}} for a
                                  tool call or a string for the final answer.
Usage: MCP_TOKEN=... AGENT_CHAT_MODEL=... python agent.py "How healthy is the network?"
Prints {"answer": ..., "tool_results": [...]} as JSON.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import BaseTool
from langchain_mcp_adapters.client import MultiServerMCPClient
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode, tools_condition
from platform_config import connections, load_endpoints, token

__all__ = ["ScriptedChatModel", "build_agent", "chat_model", "run"]


class ScriptedChatModel(GenericFakeChatModel):
    """A fake chat model that plays a fixed script (tool calls, then an answer)."""

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> ScriptedChatModel:
        """The script already names its tools."""
        return self


def scripted(steps: list[Any]) -> ScriptedChatModel:
    """A ScriptedChatModel from steps: {"tool", "args"} dicts or answer strings."""
    messages: list[AIMessage] = []
    for index, step in enumerate(steps):
        if isinstance(step, str):
            messages.append(AIMessage(content=step))
        else:
            call = {"name": step["tool"], "args": step.get("args", {}), "id": f"call-{index}"}
            messages.append(AIMessage(content="", tool_calls=[call]))
    return ScriptedChatModel(messages=iter(messages))


def chat_model() -> BaseChatModel:
    """The chat model named by AGENT_CHAT_MODEL."""
    name = os.environ.get("AGENT_CHAT_MODEL", "")
    if name == "scripted":
        return scripted(json.loads(os.environ.get("AGENT_SCRIPT", "[]")))
    module, _, cls = name.partition(":")
    if not module or not cls:
        raise SystemExit("set AGENT_CHAT_MODEL to module:Class (or 'scripted')")
    kwargs = json.loads(os.environ.get("AGENT_CHAT_MODEL_KWARGS", "{}"))
    model: BaseChatModel = getattr(importlib.import_module(module), cls)(**kwargs)
    return model


def build_agent(model: BaseChatModel, tools: list[BaseTool]) -> Any:
    """model -> tools -> model ... until the model answers without a tool call."""
    bound = model.bind_tools(tools)

    async def call_model(state: MessagesState) -> dict[str, Any]:
        return {"messages": [await bound.ainvoke(state["messages"])]}

    graph = StateGraph(MessagesState)
    graph.add_node("model", call_model)
    graph.add_node("tools", ToolNode(tools))
    graph.add_edge(START, "model")
    graph.add_conditional_edges("model", tools_condition, {"tools": "tools", END: END})
    graph.add_edge("tools", "model")
    return graph.compile()


async def run(
    question: str, model: BaseChatModel, endpoints: dict[str, Any], bearer: str
) -> dict[str, Any]:
    """Ask the agent; return its answer and what the tools returned."""
    client = MultiServerMCPClient(connections(endpoints, bearer), tool_name_prefix=True)
    tools = await client.get_tools()
    agent = build_agent(model, tools)
    state = await agent.ainvoke({"messages": [HumanMessage(question)]})
    messages = state["messages"]
    return {
        "answer": messages[-1].content,
        "tools": sorted(t.name for t in tools),
        "tool_results": [
            {"tool": m.name, "status": m.status, "content": m.content}
            for m in messages
            if isinstance(m, ToolMessage)
        ],
    }


def main() -> None:
    """Answer the question given on the command line."""
    question = " ".join(sys.argv[1:]) or "Who am I on the platform?"
    result = asyncio.run(run(question, chat_model(), load_endpoints(), token()))
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
