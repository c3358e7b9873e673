// The OpenAPI 3.1 document of Pacer's HTTP API, written by hand and served at `GET /api/v1/openapi.json`.
// Kept true by `hack/check-observability.py` (in `make test`): schemathesis checks every route against the running server.
// Not described: the webhook receivers.

enum OpenAPIDocument {
    static let json = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "Pacer HTTP API",
    "version": "v1",
    "description": "Ingest of CloudEvents and CDEvents, the read API over the DORA metrics, health and Prometheus metrics, as served by `pacer serve` and every replica of `pacer run`. Errors are JSON: `{\"error\": {\"status\": 400, \"message\": \"...\", \"attribute\": \"id\", \"index\": 2}}`. Described in docs/http-api.md.",
    "license": {
      "name": "Apache-2.0",
      "identifier": "Apache-2.0"
    }
  },
  "servers": [
    {
      "url": "/"
    }
  ],
  "paths": {
    "/healthz": {
      "get": {
        "summary": "Liveness: the process answers.",
        "operationId": "healthz",
        "responses": {
          "200": {
            "description": "Always `ok`.",
            "content": {
              "text/plain": {
                "schema": {
                  "type": "string"
                }
              }
            }
          }
        }
      }
    },
    "/readyz": {
      "get": {
        "summary": "Readiness: the database answers and its schema is migrated.",
        "operationId": "readyz",
        "responses": {
          "200": {
            "description": "Ready: `ok`.",
            "content": {
              "text/plain": {
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "503": {
            "description": "Not ready, with the reason.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/metrics": {
      "get": {
        "summary": "Prometheus text exposition (format 0.0.4): Pacer's own metrics, `pacer_database_up` and, on the leader, the DORA gauges.",
        "operationId": "metrics",
        "responses": {
          "200": {
            "description": "The exposition.",
            "content": {
              "text/plain": {
                "schema": {
                  "type": "string"
                }
              }
            }
          }
        }
      }
    },
    "/api/v1/openapi.json": {
      "get": {
        "summary": "This document.",
        "operationId": "openapi",
        "responses": {
          "200": {
            "description": "OpenAPI 3.1 document.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "openapi",
                    "paths"
                  ]
                }
              }
            }
          }
        }
      }
    },
    "/api/v1/metrics": {
      "get": {
        "summary": "Every MetricDefinition with its headline value, level and groups.",
        "operationId": "listMetrics",
        "responses": {
          "200": {
            "description": "The definitions.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "items"
                  ],
                  "additionalProperties": false,
                  "properties": {
                    "items": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/MetricDefinition"
                      }
                    }
                  }
                }
              }
            }
          },
          "503": {
            "description": "The database cannot be read or written right now; retry after the given seconds.",
            "headers": {
              "Retry-After": {
                "description": "Seconds to wait before retrying.",
                "schema": {
                  "type": "string",
                  "pattern": "^[0-9]+$"
                }
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/api/v1/metrics/{namespace}/{name}": {
      "get": {
        "summary": "One MetricDefinition's series of bucketed points.",
        "operationId": "metricSeries",
        "parameters": [
          {
            "name": "namespace",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
              "maxLength": 63
            }
          },
          {
            "name": "name",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "pattern": "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$",
              "maxLength": 253
            }
          },
          {
            "name": "bucket",
            "in": "query",
            "schema": {
              "type": "string",
              "enum": [
                "day",
                "week",
                "month",
                "year"
              ],
              "default": "week"
            }
          },
          {
            "name": "from",
            "in": "query",
            "description": "RFC 3339 time or YYYY-MM-DD (UTC midnight); default: a bucket-dependent span before `to`.",
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "to",
            "in": "query",
            "description": "RFC 3339 time or YYYY-MM-DD (UTC midnight); default: now.",
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "app",
            "in": "query",
            "schema": {
              "type": "string",
              "minLength": 1
            }
          },
          {
            "name": "environment",
            "in": "query",
            "schema": {
              "type": "string",
              "minLength": 1
            }
          },
          {
            "name": "team",
            "in": "query",
            "schema": {
              "type": "string",
              "minLength": 1
            }
          },
          {
            "name": "cluster",
            "in": "query",
            "schema": {
              "type": "string",
              "minLength": 1
            }
          },
          {
            "name": "series",
            "in": "query",
            "schema": {
              "type": "string",
              "enum": [
                "all",
                "overall",
                "groups"
              ],
              "default": "all"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The series.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/MetricSeries"
                }
              }
            }
          },
          "400": {
            "description": "A query parameter is invalid (named in `attribute`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "404": {
            "description": "No such MetricDefinition.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "503": {
            "description": "The database cannot be read or written right now; retry after the given seconds.",
            "headers": {
              "Retry-After": {
                "description": "Seconds to wait before retrying.",
                "schema": {
                  "type": "string",
                  "pattern": "^[0-9]+$"
                }
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/api/v1/metrics/{namespace}/{name}/samples": {
      "get": {
        "summary": "The facts behind a point or the headline of one MetricDefinition: deployments (failed and why), changes, recoveries, incidents or CDEvents, ordered by time, paged.",
        "operationId": "metricSamples",
        "parameters": [
          {
            "name": "namespace",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
              "maxLength": 63
            }
          },
          {
            "name": "name",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "pattern": "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$",
              "maxLength": 253
            }
          },
          {
            "name": "bucket",
            "in": "query",
            "description": "With `start`: list the samples of that stored bucket (UTC). Without both: the samples of the headline (the definition's window, as last computed).",
            "schema": {
              "type": "string",
              "enum": [
                "day",
                "week",
                "month",
                "year"
              ]
            }
          },
          {
            "name": "start",
            "in": "query",
            "description": "With `bucket`: a time in the bucket (RFC 3339 or YYYY-MM-DD, UTC midnight); the bucket holding it is listed.",
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "group",
            "in": "query",
            "description": "A group key of the definition (`app=checkout`, `app=checkout,environment=prod`, as in `metric_points`); default: the ungrouped series.",
            "schema": {
              "type": "string",
              "maxLength": 1000
            }
          },
          {
            "name": "limit",
            "in": "query",
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 1000,
              "default": 100
            }
          },
          {
            "name": "continue",
            "in": "query",
            "description": "The `continue` token of the previous page.",
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "One page of samples.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/MetricSamples"
                }
              }
            }
          },
          "400": {
            "description": "A query parameter is invalid (named in `attribute`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "404": {
            "description": "No such MetricDefinition.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "409": {
            "description": "The definition is known only to the read model (no longer configured) or is not ready: it has no samples to list.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "503": {
            "description": "The database cannot be read or written right now; retry after the given seconds.",
            "headers": {
              "Retry-After": {
                "description": "Seconds to wait before retrying.",
                "schema": {
                  "type": "string",
                  "pattern": "^[0-9]+$"
                }
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/api/v1/pipeline/errors": {
      "get": {
        "summary": "The newest pipeline errors first.",
        "operationId": "pipelineErrors",
        "parameters": [
          {
            "name": "limit",
            "in": "query",
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 1000,
              "default": 100
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The errors.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "items"
                  ],
                  "additionalProperties": false,
                  "properties": {
                    "items": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/PipelineError"
                      }
                    }
                  }
                }
              }
            }
          },
          "400": {
            "description": "`limit` is not a number from 1 to 1000.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "503": {
            "description": "The database cannot be read or written right now; retry after the given seconds.",
            "headers": {
              "Retry-After": {
                "description": "Seconds to wait before retrying.",
                "schema": {
                  "type": "string",
                  "pattern": "^[0-9]+$"
                }
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/deploy-frequency/{bucket}": {
      "get": {
        "summary": "The seed tutorial's deployment frequency per deploy name and bucket (byte-compatible with its Go endpoint).",
        "operationId": "deployFrequency",
        "parameters": [
          {
            "name": "bucket",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "enum": [
                "day",
                "week",
                "month",
                "year"
              ]
            }
          }
        ],
        "responses": {
          "200": {
            "description": "Ordered by bucket start, then name.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "array",
                  "items": {
                    "type": "object",
                    "required": [
                      "DeployName",
                      "Deployments",
                      "Time"
                    ],
                    "additionalProperties": false,
                    "properties": {
                      "DeployName": {
                        "type": "string"
                      },
                      "Deployments": {
                        "type": "integer",
                        "minimum": 0
                      },
                      "Time": {
                        "type": "string",
                        "format": "date-time"
                      }
                    }
                  }
                }
              }
            }
          },
          "400": {
            "description": "Unknown bucket.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "503": {
            "description": "The database cannot be read or written right now; retry after the given seconds.",
            "headers": {
              "Retry-After": {
                "description": "Seconds to wait before retrying.",
                "schema": {
                  "type": "string",
                  "pattern": "^[0-9]+$"
                }
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/": {
      "get": {
        "summary": "The built-in dashboard (one self-contained HTML page).",
        "operationId": "dashboardRoot",
        "responses": {
          "200": {
            "description": "The page.",
            "content": {
              "text/html": {
                "schema": {
                  "type": "string"
                }
              }
            }
          }
        }
      },
      "post": {
        "summary": "Ingest CloudEvents (a Knative-style sink; same as POST /events).",
        "description": "Same as `POST /events`.",
        "security": [
          {
            "bearer": []
          },
          {}
        ],
        "requestBody": {
          "required": true,
          "description": "One CloudEvent in structured mode (`application/cloudevents+json`), a batch (`application/cloudevents-batch+json`), or binary mode: the `ce-specversion`, `ce-id`, `ce-source`, `ce-type` headers (and optional `ce-*` attributes) with the data as the body in any content type.",
          "content": {
            "application/cloudevents+json": {
              "schema": {
                "$ref": "#/components/schemas/CloudEvent"
              }
            },
            "application/cloudevents-batch+json": {
              "schema": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/CloudEvent"
                }
              }
            },
            "application/json": {
              "schema": {},
              "description": "Binary mode: the event's data; its attributes are the ce-* headers."
            }
          }
        },
        "responses": {
          "202": {
            "description": "Every event of the request is durably committed (redeliveries count as duplicates and store nothing new).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/IngestResult"
                }
              }
            }
          },
          "400": {
            "description": "An invalid event, naming the attribute (and, in a batch, its index); a batch is all-or-nothing.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "description": "Authentication is on and the request has no valid bearer token.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "413": {
            "description": "The body is over the size limit (`--max-body-bytes`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "415": {
            "description": "The content type carries no CloudEvent (structured or batch mode expected, or ce-* headers).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "422": {
            "description": "PostgreSQL refused the events themselves; do not retry as sent.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "503": {
            "description": "The database cannot be read or written right now; retry after the given seconds.",
            "headers": {
              "Retry-After": {
                "description": "Seconds to wait before retrying.",
                "schema": {
                  "type": "string",
                  "pattern": "^[0-9]+$"
                }
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        },
        "operationId": "ingestRoot"
      }
    },
    "/dashboard": {
      "get": {
        "summary": "The built-in dashboard.",
        "operationId": "dashboard",
        "responses": {
          "200": {
            "description": "The page.",
            "content": {
              "text/html": {
                "schema": {
                  "type": "string"
                }
              }
            }
          }
        }
      }
    },
    "/events": {
      "post": {
        "summary": "Ingest CloudEvents.",
        "description": "Answers 202 once every event of the request is durably committed.",
        "security": [
          {
            "bearer": []
          },
          {}
        ],
        "requestBody": {
          "required": true,
          "description": "One CloudEvent in structured mode (`application/cloudevents+json`), a batch (`application/cloudevents-batch+json`), or binary mode: the `ce-specversion`, `ce-id`, `ce-source`, `ce-type` headers (and optional `ce-*` attributes) with the data as the body in any content type.",
          "content": {
            "application/cloudevents+json": {
              "schema": {
                "$ref": "#/components/schemas/CloudEvent"
              }
            },
            "application/cloudevents-batch+json": {
              "schema": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/CloudEvent"
                }
              }
            },
            "application/json": {
              "schema": {},
              "description": "Binary mode: the event's data; its attributes are the ce-* headers."
            }
          }
        },
        "responses": {
          "202": {
            "description": "Every event of the request is durably committed (redeliveries count as duplicates and store nothing new).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/IngestResult"
                }
              }
            }
          },
          "400": {
            "description": "An invalid event, naming the attribute (and, in a batch, its index); a batch is all-or-nothing.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "description": "Authentication is on and the request has no valid bearer token.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "413": {
            "description": "The body is over the size limit (`--max-body-bytes`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "415": {
            "description": "The content type carries no CloudEvent (structured or batch mode expected, or ce-* headers).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "422": {
            "description": "PostgreSQL refused the events themselves; do not retry as sent.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "503": {
            "description": "The database cannot be read or written right now; retry after the given seconds.",
            "headers": {
              "Retry-After": {
                "description": "Seconds to wait before retrying.",
                "schema": {
                  "type": "string",
                  "pattern": "^[0-9]+$"
                }
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        },
        "operationId": "ingestEvents"
      }
    },
    "/cdevents": {
      "post": {
        "summary": "Ingest CDEvents (spec 0.3 to 0.5) carried as CloudEvents.",
        "description": "Each event's type must be a CDEvents type (`dev.cdevents.<subject>.<predicate>.<version>`); it is validated against the CDEvents schemas and stored normalised to v0.5.1.",
        "security": [
          {
            "bearer": []
          },
          {}
        ],
        "requestBody": {
          "required": true,
          "description": "CloudEvents (structured, batch or binary mode, as for POST /events) whose data is a CDEvent.",
          "content": {
            "application/cloudevents+json": {
              "schema": {
                "$ref": "#/components/schemas/CDEventCloudEvent"
              }
            },
            "application/cloudevents-batch+json": {
              "schema": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/CDEventCloudEvent"
                }
              }
            },
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/CDEvent"
              },
              "description": "Binary mode: the CDEvent; its CloudEvent attributes are the ce-* headers."
            }
          }
        },
        "responses": {
          "202": {
            "description": "Every event of the request is durably committed (redeliveries count as duplicates and store nothing new).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/IngestResult"
                }
              }
            }
          },
          "400": {
            "description": "An invalid event, naming the attribute (and, in a batch, its index); a batch is all-or-nothing.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "description": "Authentication is on and the request has no valid bearer token.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "413": {
            "description": "The body is over the size limit (`--max-body-bytes`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "415": {
            "description": "The content type carries no CloudEvent (structured or batch mode expected, or ce-* headers).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "422": {
            "description": "PostgreSQL refused the events themselves; do not retry as sent.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "503": {
            "description": "The database cannot be read or written right now; retry after the given seconds.",
            "headers": {
              "Retry-After": {
                "description": "Seconds to wait before retrying.",
                "schema": {
                  "type": "string",
                  "pattern": "^[0-9]+$"
                }
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        },
        "operationId": "ingestCDEvents"
      }
    }
  },
  "components": {
    "securitySchemes": {
      "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "Required on the ingest endpoints when Pacer runs with `--ingest-token-file`."
      }
    },
    "schemas": {
      "Error": {
        "type": "object",
        "required": [
          "error"
        ],
        "additionalProperties": false,
        "properties": {
          "error": {
            "type": "object",
            "required": [
              "status",
              "message"
            ],
            "additionalProperties": false,
            "properties": {
              "status": {
                "type": "integer",
                "minimum": 400,
                "maximum": 599
              },
              "message": {
                "type": "string"
              },
              "attribute": {
                "type": "string"
              },
              "index": {
                "type": "integer",
                "minimum": 0
              }
            }
          }
        }
      },
      "CloudEvent": {
        "type": "object",
        "required": [
          "specversion",
          "id",
          "source",
          "type"
        ],
        "description": "A CloudEvent 1.0 in JSON format; extension attributes are allowed.",
        "properties": {
          "specversion": {
            "const": "1.0"
          },
          "id": {
            "type": "string",
            "minLength": 1
          },
          "source": {
            "type": "string",
            "minLength": 1
          },
          "type": {
            "type": "string",
            "minLength": 1
          },
          "subject": {
            "type": "string"
          },
          "time": {
            "type": "string",
            "format": "date-time"
          },
          "datacontenttype": {
            "type": "string"
          },
          "dataschema": {
            "type": "string"
          },
          "data": {},
          "data_base64": {
            "type": "string"
          }
        }
      },
      "CDEvent": {
        "type": "object",
        "required": [
          "context",
          "subject"
        ],
        "description": "A CDEvent (https://cdevents.dev), spec 0.3 to 0.5; validated against its type's schema.",
        "properties": {
          "context": {
            "type": "object",
            "required": [
              "version",
              "id",
              "source",
              "type",
              "timestamp"
            ]
          },
          "subject": {
            "type": "object",
            "required": [
              "content"
            ]
          },
          "customData": {},
          "customDataContentType": {
            "type": "string"
          }
        }
      },
      "CDEventCloudEvent": {
        "allOf": [
          {
            "$ref": "#/components/schemas/CloudEvent"
          }
        ],
        "required": [
          "data"
        ],
        "properties": {
          "type": {
            "type": "string",
            "pattern": "^dev\\.cdevents(x)?\\."
          },
          "data": {
            "$ref": "#/components/schemas/CDEvent"
          }
        }
      },
      "IngestResult": {
        "type": "object",
        "required": [
          "stored",
          "duplicates"
        ],
        "additionalProperties": false,
        "properties": {
          "stored": {
            "type": "integer",
            "minimum": 0
          },
          "duplicates": {
            "type": "integer",
            "minimum": 0
          }
        }
      },
      "Labels": {
        "type": "object",
        "additionalProperties": {
          "type": "string"
        }
      },
      "MetricGroup": {
        "type": "object",
        "required": [
          "labels",
          "value",
          "numericValue",
          "level",
          "samples"
        ],
        "additionalProperties": false,
        "properties": {
          "labels": {
            "$ref": "#/components/schemas/Labels"
          },
          "value": {
            "type": [
              "string",
              "null"
            ]
          },
          "numericValue": {
            "type": [
              "number",
              "null"
            ]
          },
          "level": {
            "type": [
              "string",
              "null"
            ]
          },
          "samples": {
            "type": "integer",
            "minimum": 0
          }
        }
      },
      "MetricDefinition": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "namespace",
          "name",
          "metric",
          "unit",
          "window",
          "value",
          "numericValue",
          "level",
          "samples",
          "lastComputedTime",
          "groups",
          "ready",
          "message"
        ],
        "properties": {
          "namespace": {
            "type": "string"
          },
          "name": {
            "type": "string"
          },
          "metric": {
            "type": "string"
          },
          "unit": {
            "type": "string"
          },
          "window": {
            "type": "string"
          },
          "value": {
            "type": [
              "string",
              "null"
            ],
            "description": "The headline value, formatted."
          },
          "numericValue": {
            "type": [
              "number",
              "null"
            ]
          },
          "level": {
            "type": [
              "string",
              "null"
            ],
            "description": "DORA level: Elite, High, Medium or Low; InsufficientData with fewer than spec.minSamples samples in the window (null when the metric has no levels)."
          },
          "samples": {
            "type": "integer",
            "minimum": 0
          },
          "lastComputedTime": {
            "type": [
              "string",
              "null"
            ],
            "format": "date-time"
          },
          "groups": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/MetricGroup"
            }
          },
          "ready": {
            "type": [
              "boolean",
              "null"
            ]
          },
          "message": {
            "type": [
              "string",
              "null"
            ]
          }
        }
      },
      "MetricPoint": {
        "type": "object",
        "required": [
          "start",
          "value",
          "samples"
        ],
        "additionalProperties": false,
        "properties": {
          "start": {
            "type": "string",
            "format": "date-time"
          },
          "value": {
            "type": [
              "number",
              "null"
            ]
          },
          "samples": {
            "type": "integer",
            "minimum": 0
          }
        }
      },
      "MetricSeries": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "namespace",
          "name",
          "metric",
          "unit",
          "bucket",
          "from",
          "to",
          "series"
        ],
        "properties": {
          "namespace": {
            "type": "string"
          },
          "name": {
            "type": "string"
          },
          "metric": {
            "type": "string"
          },
          "unit": {
            "type": "string"
          },
          "bucket": {
            "type": "string",
            "enum": [
              "day",
              "week",
              "month",
              "year"
            ]
          },
          "from": {
            "type": "string",
            "format": "date-time"
          },
          "to": {
            "type": "string",
            "format": "date-time"
          },
          "series": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "labels",
                "points"
              ],
              "additionalProperties": false,
              "properties": {
                "labels": {
                  "$ref": "#/components/schemas/Labels"
                },
                "points": {
                  "type": "array",
                  "items": {
                    "$ref": "#/components/schemas/MetricPoint"
                  }
                }
              }
            }
          }
        }
      },
      "PipelineError": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "id",
          "time",
          "stage",
          "component",
          "message",
          "eventId",
          "ceSource",
          "ceId"
        ],
        "properties": {
          "id": {
            "type": "integer"
          },
          "time": {
            "type": "string",
            "format": "date-time"
          },
          "stage": {
            "type": "string"
          },
          "component": {
            "type": "string"
          },
          "message": {
            "type": "string"
          },
          "eventId": {
            "type": [
              "integer",
              "null"
            ]
          },
          "ceSource": {
            "type": [
              "string",
              "null"
            ]
          },
          "ceId": {
            "type": [
              "string",
              "null"
            ]
          }
        }
      },
      "MetricSample": {
        "type": "object",
        "required": [
          "kind",
          "time"
        ],
        "description": "One sample. `deployment` (deploymentFrequency, changeFailureRate, deploymentReworkRate: `failed`, `why`, and for rework `rework`), `change` (leadTimeForChanges: `sha`, `changeTime`, `deployTime`, `hours`, `deployment`), `recovery` (failedDeploymentRecoveryTime: `deployment`, `remediation`, `hours`), `incident` (timeToRestore: `subject`, `openedAt`, `resolvedAt`, `hours`), `event` (custom: `id`, `type`, `value`). Described in docs/http-api.md.",
        "properties": {
          "kind": {
            "type": "string",
            "enum": [
              "deployment",
              "change",
              "recovery",
              "incident",
              "event"
            ]
          },
          "time": {
            "type": "string"
          },
          "id": {
            "type": "string"
          },
          "source": {
            "type": "string"
          },
          "app": {
            "type": "string"
          },
          "environment": {
            "type": "string"
          },
          "team": {
            "type": "string"
          },
          "namespace": {
            "type": "string"
          },
          "cluster": {
            "type": "string"
          },
          "failed": {
            "type": "boolean"
          },
          "rollback": {
            "type": "boolean"
          },
          "why": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "reason"
              ],
              "properties": {
                "reason": {
                  "type": "string",
                  "enum": [
                    "rolloutFailed",
                    "rolledBack",
                    "incident"
                  ]
                },
                "by": {
                  "type": [
                    "object",
                    "null"
                  ],
                  "properties": {
                    "id": {
                      "type": "string"
                    },
                    "source": {
                      "type": "string"
                    },
                    "time": {
                      "type": "string"
                    },
                    "name": {
                      "type": [
                        "string",
                        "null"
                      ]
                    },
                    "artifact": {
                      "type": [
                        "string",
                        "null"
                      ]
                    },
                    "commit": {
                      "type": [
                        "string",
                        "null"
                      ]
                    },
                    "version": {
                      "type": [
                        "string",
                        "null"
                      ]
                    },
                    "type": {
                      "type": [
                        "string",
                        "null"
                      ]
                    }
                  }
                },
                "attribution": {
                  "type": "string",
                  "enum": [
                    "named",
                    "window"
                  ]
                },
                "afterSeconds": {
                  "type": "number"
                },
                "incident": {
                  "type": [
                    "object",
                    "null"
                  ],
                  "properties": {
                    "subject": {
                      "type": "string"
                    },
                    "id": {
                      "type": "string"
                    },
                    "source": {
                      "type": "string"
                    },
                    "openedAt": {
                      "type": "string"
                    },
                    "resolvedAt": {
                      "type": [
                        "string",
                        "null"
                      ]
                    }
                  }
                }
              }
            }
          },
          "rework": {
            "type": "object",
            "properties": {
              "value": {
                "type": "boolean"
              },
              "reason": {
                "type": [
                  "string",
                  "null"
                ]
              },
              "openFailure": {
                "type": [
                  "object",
                  "null"
                ],
                "properties": {
                  "id": {
                    "type": "string"
                  },
                  "source": {
                    "type": "string"
                  },
                  "time": {
                    "type": "string"
                  },
                  "name": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "artifact": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "commit": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "version": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "type": {
                    "type": [
                      "string",
                      "null"
                    ]
                  }
                }
              }
            }
          },
          "hours": {
            "type": [
              "number",
              "null"
            ]
          },
          "deployment": {
            "type": "object"
          },
          "remediation": {
            "type": "object",
            "properties": {
              "kind": {
                "type": "string",
                "enum": [
                  "deployment",
                  "incidentResolved"
                ]
              },
              "time": {
                "type": "string"
              },
              "deployment": {
                "type": [
                  "object",
                  "null"
                ],
                "properties": {
                  "id": {
                    "type": "string"
                  },
                  "source": {
                    "type": "string"
                  },
                  "time": {
                    "type": "string"
                  },
                  "name": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "artifact": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "commit": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "version": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "type": {
                    "type": [
                      "string",
                      "null"
                    ]
                  }
                }
              }
            }
          },
          "subject": {
            "type": "string"
          },
          "openedAt": {
            "type": "string"
          },
          "resolvedAt": {
            "type": [
              "string",
              "null"
            ]
          },
          "sha": {
            "type": "string"
          },
          "changeTime": {
            "type": "string"
          },
          "deployTime": {
            "type": "string"
          },
          "value": {
            "type": [
              "number",
              "string",
              "null"
            ]
          }
        }
      },
      "MetricSamples": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "namespace",
          "name",
          "metric",
          "unit",
          "group",
          "bucket",
          "from",
          "to",
          "total",
          "limit",
          "continue",
          "items"
        ],
        "properties": {
          "namespace": {
            "type": "string"
          },
          "name": {
            "type": "string"
          },
          "metric": {
            "type": "string"
          },
          "unit": {
            "type": "string"
          },
          "group": {
            "type": "string"
          },
          "bucket": {
            "type": [
              "string",
              "null"
            ],
            "enum": [
              "day",
              "week",
              "month",
              "year",
              null
            ]
          },
          "from": {
            "type": "string",
            "description": "The bucket's start, or the headline window's start (`to` − window)."
          },
          "to": {
            "type": "string",
            "description": "The next bucket's start (exclusive), or when the headline was computed."
          },
          "total": {
            "type": "integer",
            "minimum": 0,
            "description": "Samples in the whole range and group, every page together."
          },
          "limit": {
            "type": "integer",
            "minimum": 1,
            "maximum": 1000
          },
          "continue": {
            "type": [
              "string",
              "null"
            ],
            "description": "Pass as `continue` for the next page; null on the last page."
          },
          "items": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/MetricSample"
            }
          }
        }
      }
    }
  }
}
"""#
}
