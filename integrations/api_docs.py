"""The REST API's reference (/api/docs, docs/api.md): every operation of the
live OpenAPI schema — what it needs, its parameters, its body, its answers,
the schemas — and a form to try each with a key, on a page of the site's own
(both languages, keyboard and screen reader; Swagger UI failed axe-core).

The texts that come from the schema (summaries, descriptions) are the API's
own and stay English; the page marks them `lang="en"` when it is German."""

import json

from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from .api import api

# What each answer means, in the reader's words (the schema says only "Bad
# Request"), by status (the schema's keys are numbers; str() looks them up).
ANSWERS = {
    "200": _("Done: the answer is below."),
    "201": _("Made: the answer is below."),
    "400": _("The request is not valid: the error's message says what to change."),
    "401": _("No API key, or a wrong or revoked one."),
    "403": _("The key lacks the permission this needs."),
    "404": _("Not found among the clinic's."),
    "429": _("Too many requests with this key: Retry-After says when to try again."),
}


def with_code(text):
    """The schema's text, `quoted` parts as code."""
    parts = escape(text or "").split("`")
    return mark_safe("".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts)))


def _ref_name(schema):
    return schema["$ref"].rsplit("/", 1)[-1]


def type_of(schema):
    """A property's type as a reader needs it: `string (date-time) | null`,
    `array of CallerOut` (a link to that schema), `string: "open", "paused"`."""
    if "$ref" in schema:
        name = _ref_name(schema)
        return format_html('<a href="#schema-{}">{}</a>', name, name)
    if "anyOf" in schema:
        return mark_safe(" | ".join(type_of(s) for s in schema["anyOf"]))
    kind = schema.get("type", "")
    if kind == "array":
        return format_html("{} {}", _("array of"), type_of(schema.get("items", {})))
    text = format_html("{}{}", kind, format_html(" ({})", schema["format"]) if "format" in schema else "")
    if "enum" in schema:
        values = mark_safe(", ".join(format_html("<code>{}</code>", json.dumps(v)) for v in schema["enum"]))
        text = format_html("{}: {}", text, values)
    return text


def fields_of(schema):
    required = set(schema.get("required", ()))
    return [
        {
            "name": name,
            "type": type_of(prop),
            "required": name in required,
            "description": with_code(prop.get("description", "")),
        }
        for name, prop in schema.get("properties", {}).items()
    ]


def operations(schema):
    components = schema["components"]["schemas"]
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            body_name = _ref_name(body) if body else None
            yield {
                "id": op["operationId"],
                "method": method.upper(),
                "path": path,
                "summary": op.get("summary", ""),
                "description": with_code(op.get("description", "")),
                "parameters": [
                    {
                        "name": p["name"],
                        "where": p["in"],
                        "type": type_of(p["schema"]),
                        "required": p.get("required", False),
                        "description": with_code(p.get("description", "")),
                    }
                    for p in op.get("parameters", ())
                ],
                "body": body_name,
                "example": json.dumps(components[body_name].get("examples", [{}])[0], indent=2) if body_name else "",
                "answers": [
                    {
                        "status": status,
                        "meaning": ANSWERS.get(str(status), answer.get("description", "")),
                        "schema": type_of(answer["content"]["application/json"]["schema"])
                        if "content" in answer
                        else "",
                    }
                    for status, answer in op["responses"].items()
                ],
            }


@require_safe
def api_docs(request):
    schema = api.get_openapi_schema()
    return render(
        request,
        "integrations/api_docs.html",
        {
            "info": schema["info"],
            "description": with_code(schema["info"].get("description", "")),
            "operations": list(operations(schema)),
            "schemas": [
                {"name": name, "description": with_code(s.get("description", "")), "fields": fields_of(s)}
                for name, s in schema["components"]["schemas"].items()
            ],
            "schema_url": reverse("api:openapi-json"),
            # On a page in another language, the schema's English texts say so.
            "schema_lang": "" if get_language().startswith("en") else mark_safe(' lang="en"'),
        },
    )
