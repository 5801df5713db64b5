/// The API's OpenAPI 3.0 document, served at /openapi.json. A test checks that its paths
/// and methods are exactly the routes `APIResponder` serves; CI fuzzes the API against it.
enum OpenAPIDocument {
    static let json = #"""
{
 "openapi": "3.0.3",
 "info": {
  "title": "PileGate gateway API",
  "version": "1.0.0",
  "description": "The live map, scan to charge, sessions with receipts, live events, recommendations and metrics of a PileGate gateway. Money is integer fen (1/100 CNY). Times are RFC 3339 UTC. POST endpoints need `Authorization: Bearer TOKEN`; reads need it only when the gateway sets `api.protectReads`. Every error is `{\"error\": {\"code\", \"message\"}}`."
 },
 "servers": [
  {
   "url": "/"
  }
 ],
 "paths": {
  "/health": {
   "get": {
    "operationId": "health",
    "summary": "Liveness: 200 once the gateway serves.",
    "security": [
     {},
     {
      "bearerAuth": []
     }
    ],
    "responses": {
     "200": {
      "description": "Serving",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "status",
          "connectedChargePoints"
         ],
         "properties": {
          "status": {
           "type": "string",
           "enum": [
            "ok"
           ]
          },
          "connectedChargePoints": {
           "type": "integer",
           "minimum": 0
          }
         }
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/metrics": {
   "get": {
    "operationId": "metrics",
    "summary": "Prometheus metrics (text exposition format).",
    "security": [
     {},
     {
      "bearerAuth": []
     }
    ],
    "responses": {
     "200": {
      "description": "Metrics",
      "content": {
       "text/plain": {
        "schema": {
         "type": "string"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/openapi.json": {
   "get": {
    "operationId": "openapi",
    "summary": "This document.",
    "security": [
     {},
     {
      "bearerAuth": []
     }
    ],
    "responses": {
     "200": {
      "description": "The OpenAPI document",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/": {
   "get": {
    "operationId": "dashboard",
    "summary": "The dashboard page (HTML and JavaScript).",
    "security": [
     {},
     {
      "bearerAuth": []
     }
    ],
    "responses": {
     "200": {
      "description": "The page",
      "content": {
       "text/html": {
        "schema": {
         "type": "string"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/piles/{id}": {
   "get": {
    "operationId": "pilePage",
    "summary": "One pile's page: connectors, configuration, frames, findings, command history and an operations panel (HTML and JavaScript).",
    "security": [
     {},
     {
      "bearerAuth": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The page",
      "content": {
       "text/html": {
        "schema": {
         "type": "string"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/chargepoints": {
   "get": {
    "operationId": "listChargePoints",
    "summary": "The live map: piles with station, position, power, connectors with live status and QR codes, and the price now.",
    "security": [
     {},
     {
      "bearerAuth": []
     }
    ],
    "parameters": [
     {
      "name": "network",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      },
      "description": "Only this network (case-insensitive)."
     },
     {
      "name": "status",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      },
      "description": "Only connected piles with a connector in this status, e.g. Available."
     },
     {
      "name": "powerClass",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "slow",
        "fast",
        "ultra"
       ]
      },
      "description": "slow ≤ 22 kW < fast ≤ 150 kW < ultra."
     },
     {
      "name": "near",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "pattern": "^-?[0-9]{1,3}(\\.[0-9]+)?,-?[0-9]{1,3}(\\.[0-9]+)?$"
      },
      "description": "LAT,LON: sort by distance from here (piles without a position are left out)."
     },
     {
      "name": "radiusKm",
      "in": "query",
      "required": false,
      "schema": {
       "type": "number",
       "minimum": 0,
       "maximum": 20000
      },
      "description": "With near: only piles within this distance."
     },
     {
      "name": "limit",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 100000,
       "default": 100000
      },
      "description": "Most rows to return."
     }
    ],
    "responses": {
     "200": {
      "description": "Piles",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/ChargePoint"
         }
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/chargepoints/{id}": {
   "get": {
    "operationId": "getChargePoint",
    "summary": "One pile.",
    "security": [
     {},
     {
      "bearerAuth": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The pile",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ChargePoint"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/chargepoints/{id}/findings": {
   "get": {
    "operationId": "chargePointFindings",
    "summary": "A pile's compliance findings, newest first.",
    "security": [
     {},
     {
      "bearerAuth": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "limit",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 10000,
       "default": 100
      },
      "description": "Most rows to return."
     }
    ],
    "responses": {
     "200": {
      "description": "Findings",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/Finding"
         }
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/chargepoints/{id}/device-model": {
   "get": {
    "operationId": "chargePointDeviceModel",
    "summary": "A 2.0.1 station's device model as its NotifyReports said (empty for 1.6 piles and stations not asked).",
    "security": [
     {},
     {
      "bearerAuth": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "Variable attributes, by component and variable",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "type": "object",
          "required": [
           "component",
           "variable",
           "attribute",
           "reportedAt"
          ],
          "properties": {
           "component": {
            "type": "string"
           },
           "componentInstance": {
            "type": "string"
           },
           "evseId": {
            "type": "integer"
           },
           "connectorId": {
            "type": "integer"
           },
           "variable": {
            "type": "string"
           },
           "variableInstance": {
            "type": "string"
           },
           "attribute": {
            "type": "string"
           },
           "value": {
            "type": "string"
           },
           "mutability": {
            "type": "string"
           },
           "dataType": {
            "type": "string"
           },
           "unit": {
            "type": "string"
           },
           "reportedAt": {
            "type": "string",
            "format": "date-time"
           }
          }
         }
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/chargepoints/{id}/commands": {
   "get": {
    "operationId": "chargePointCommands",
    "summary": "The operator commands sent to the pile, newest first, each with its payload, how the pile answered and how long it took.",
    "security": [
     {},
     {
      "bearerAuth": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "limit",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 10000,
       "default": 100
      }
     }
    ],
    "responses": {
     "200": {
      "description": "Commands, newest first",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/Command"
         }
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/chargepoints/{id}/notices": {
   "get": {
    "operationId": "chargePointNotices",
    "summary": "What the pile reported of its firmware, diagnostics and log jobs and its security events, newest first (FirmwareStatusNotification, DiagnosticsStatusNotification, LogStatusNotification, SignedFirmwareStatusNotification, SecurityEventNotification; both versions).",
    "security": [
     {},
     {
      "bearerAuth": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "kind",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "firmware",
        "diagnostics",
        "log",
        "security"
       ]
      }
     },
     {
      "name": "limit",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 10000,
       "default": 100
      }
     }
    ],
    "responses": {
     "200": {
      "description": "Notices, newest first",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "type": "object",
          "required": [
           "id",
           "chargePointId",
           "time",
           "kind",
           "status",
           "ocppVersion"
          ],
          "properties": {
           "id": {
            "type": "integer"
           },
           "chargePointId": {
            "type": "string"
           },
           "time": {
            "type": "string",
            "format": "date-time"
           },
           "kind": {
            "type": "string",
            "enum": [
             "firmware",
             "diagnostics",
             "log",
             "security"
            ]
           },
           "status": {
            "type": "string",
            "description": "The pile's status word, or the security event's type"
           },
           "requestId": {
            "type": "integer"
           },
           "detail": {
            "type": "string"
           },
           "ocppVersion": {
            "type": "string"
           }
          }
         }
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/chargepoints/{id}/commands/{action}": {
   "post": {
    "operationId": "sendCommand",
    "summary": "Sends any action of the pile's OCPP version that a central system sends (Reset, UnlockConnector, GetConfiguration, TriggerMessage, RequestStartTransaction …) with the body as its payload, once the payload passes the action's schema; answers with the pile's response payload. Whether a connector or reservation exists is for the pile to say. Every command is recorded (GET …/commands).",
    "security": [
     {
      "bearerAuth": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "action",
      "in": "path",
      "required": true,
      "description": "The OCPP action name, e.g. Reset.",
      "schema": {
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "required": false,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "description": "The action's request payload; no body is {}."
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "The pile's answer (its CALLRESULT payload)",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      }
     },
     "400": {
      "description": "invalid_payload: the payload breaks the action's schema (error.details.path names the field), or the body is not a JSON object",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown_action: not an action of the pile's version that the central system sends (error.details.actions lists them)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "pile_offline: the pile is not connected to this gateway",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "502": {
      "description": "pile_error: the pile answered CALLERROR (error.details.ocppErrorCode, ocppErrorDescription); invalid_response: its answer broke the schema (error.details.response)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "$ref": "#/components/responses/Error"
     },
     "504": {
      "description": "pile_timeout: the pile did not answer within the call timeout",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/chargepoints/{id}/remote-start": {
   "post": {
    "operationId": "remoteStart",
    "summary": "Starts charging remotely in the pile's version: RemoteStartTransaction (1.6) or RequestStartTransaction with a fresh remoteStartId (2.0.1); recorded in the command history.",
    "security": [
     {
      "bearerAuth": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "required": [
         "idTag"
        ],
        "properties": {
         "idTag": {
          "type": "string",
          "minLength": 1
         },
         "connectorId": {
          "type": "integer",
          "minimum": 0,
          "maximum": 1000,
          "description": "1.6 connectorId, 2.0.1 evseId"
         },
         "chargingProfile": {
          "type": "object",
          "description": "The version's ChargingProfile, sent as given"
         }
        }
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "The pile's answer",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "ocppVersion",
          "response"
         ],
         "properties": {
          "ocppVersion": {
           "type": "string"
          },
          "response": {
           "type": "object"
          }
         }
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "409": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     },
     "504": {
      "$ref": "#/components/responses/Error"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/chargepoints/{id}/configuration": {
   "get": {
    "operationId": "readConfiguration",
    "summary": "Asks the pile for its configuration: GetConfiguration (1.6; all keys or key=A,B), GetVariables (2.0.1; key=Component.Variable,…). Sends a command, so it needs the token.",
    "security": [
     {
      "bearerAuth": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "key",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      },
      "description": "Comma-separated keys (2.0.1: Component.Variable)"
     }
    ],
    "responses": {
     "200": {
      "description": "The keys as the pile answered",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "ocppVersion",
          "keys"
         ],
         "properties": {
          "ocppVersion": {
           "type": "string"
          },
          "keys": {
           "type": "array",
           "items": {
            "type": "object",
            "required": [
             "key",
             "status"
            ],
            "properties": {
             "key": {
              "type": "string"
             },
             "value": {
              "type": "string"
             },
             "readonly": {
              "type": "boolean"
             },
             "status": {
              "type": "string",
              "description": "Accepted, UnknownKey (1.6), or the 2.0.1 attributeStatus"
             }
            }
           }
          }
         }
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "409": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     },
     "504": {
      "$ref": "#/components/responses/Error"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/chargepoints/{id}/configuration/{key}": {
   "put": {
    "operationId": "changeConfiguration",
    "summary": "Changes one key: ChangeConfiguration (1.6) or SetVariables of Component.Variable (2.0.1).",
    "security": [
     {
      "bearerAuth": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "key",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "required": [
         "value"
        ],
        "properties": {
         "value": {
          "type": "string"
         }
        }
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "The pile's status word",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "key",
          "status"
         ],
         "properties": {
          "key": {
           "type": "string"
          },
          "status": {
           "type": "string"
          }
         }
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "409": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     },
     "504": {
      "$ref": "#/components/responses/Error"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/chargepoints/{id}/messages": {
   "get": {
    "operationId": "chargePointMessages",
    "summary": "A pile's most recent frames, oldest first.",
    "security": [
     {},
     {
      "bearerAuth": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "limit",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 10000,
       "default": 100
      },
      "description": "Most rows to return."
     }
    ],
    "responses": {
     "200": {
      "description": "Frames",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/Frame"
         }
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/compatibility": {
   "get": {
    "operationId": "compatibility",
    "summary": "Findings of every network × pile model × firmware by rule, with pile and session counts, and the rule catalogue (docs/rules.md).",
    "security": [
     {},
     {
      "bearerAuth": []
     }
    ],
    "responses": {
     "200": {
      "description": "The compatibility picture",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Compatibility"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/findings": {
   "get": {
    "operationId": "listFindings",
    "summary": "The most recent findings of every pile, newest first.",
    "security": [
     {},
     {
      "bearerAuth": []
     }
    ],
    "parameters": [
     {
      "name": "limit",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 10000,
       "default": 100
      },
      "description": "Most rows to return."
     }
    ],
    "responses": {
     "200": {
      "description": "Findings",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/Finding"
         }
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/sessions": {
   "get": {
    "operationId": "listSessions",
    "summary": "Sessions, newest first, with live figures.",
    "security": [
     {},
     {
      "bearerAuth": []
     }
    ],
    "parameters": [
     {
      "name": "status",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "starting",
        "active",
        "completed",
        "failed",
        "abandoned"
       ]
      },
      "description": "Only sessions in this state."
     },
     {
      "name": "chargePoint",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      },
      "description": "Only this pile's sessions."
     },
     {
      "name": "limit",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 10000,
       "default": 100
      },
      "description": "Most rows to return."
     }
    ],
    "responses": {
     "200": {
      "description": "Sessions",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/Session"
         }
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/sessions/{id}": {
   "get": {
    "operationId": "getSession",
    "summary": "A session with live figures, samples, findings and its message timeline.",
    "security": [
     {},
     {
      "bearerAuth": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "integer",
       "minimum": 1
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The session",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/SessionDetail"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/sessions/{id}/receipt": {
   "get": {
    "operationId": "getReceipt",
    "summary": "The itemised cost: energy per tariff period, fees, idle fee, discount, total.",
    "security": [
     {},
     {
      "bearerAuth": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "integer",
       "minimum": 1
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The receipt",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Receipt"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/sessions/{id}/close": {
   "post": {
    "operationId": "closeSession",
    "summary": "Close a session the pile will never end (an operator's word): active ones end as abandoned at the last known register, starting ones as failed. The pile is not asked.",
    "security": [
     {
      "bearerAuth": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "integer",
       "minimum": 1
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The session as closed",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Session"
        }
       }
      }
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "409": {
      "$ref": "#/components/responses/Error"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/sessions/{id}/stop": {
   "post": {
    "operationId": "stopSession",
    "summary": "Stop charging: sends RemoteStopTransaction; the session ends with the pile's StopTransaction.",
    "security": [
     {
      "bearerAuth": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "integer",
       "minimum": 1
      }
     }
    ],
    "responses": {
     "202": {
      "description": "The pile accepted",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "sessionId",
          "status"
         ],
         "properties": {
          "sessionId": {
           "type": "integer"
          },
          "status": {
           "type": "string",
           "enum": [
            "Accepted"
           ]
          }
         }
        }
       }
      }
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "409": {
      "$ref": "#/components/responses/Error"
     },
     "504": {
      "$ref": "#/components/responses/Error"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/scan": {
   "post": {
    "operationId": "scan",
    "summary": "The app's scan: resolves the QR code, checks the account, sends RemoteStartTransaction and returns the session once the pile accepts.",
    "security": [
     {
      "bearerAuth": []
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "required": [
         "qr",
         "account"
        ],
        "properties": {
         "qr": {
          "type": "string",
          "description": "pilegate://charge/v1/{network}/{chargePointId}/{connectorId}"
         },
         "account": {
          "type": "string"
         }
        }
       },
       "example": {
        "qr": "pilegate://charge/v1/NIO/NIO-000001/1",
        "account": "mi-driver-1"
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "Started: the session in status starting",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Session"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "409": {
      "$ref": "#/components/responses/Error"
     },
     "504": {
      "$ref": "#/components/responses/Error"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/recommend": {
   "get": {
    "operationId": "recommend",
    "summary": "Ranks connected piles with a free connector by minutes until charged (drive plus charge), then price, then distance; each estimate explained.",
    "security": [
     {},
     {
      "bearerAuth": []
     }
    ],
    "parameters": [
     {
      "name": "vehicle",
      "in": "query",
      "required": true,
      "schema": {
       "type": "string"
      },
      "description": "A vehicle profile id, e.g. su7-max.",
      "example": "su7-max"
     },
     {
      "name": "soc",
      "in": "query",
      "required": true,
      "schema": {
       "type": "number",
       "minimum": 0,
       "maximum": 100
      },
      "description": "State of charge now, percent.",
      "example": 20
     },
     {
      "name": "target",
      "in": "query",
      "required": true,
      "schema": {
       "type": "number",
       "minimum": 0,
       "maximum": 100
      },
      "description": "State of charge wanted, percent.",
      "example": 80
     },
     {
      "name": "near",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "pattern": "^-?[0-9]{1,3}(\\.[0-9]+)?,-?[0-9]{1,3}(\\.[0-9]+)?$"
      },
      "description": "LAT,LON of the driver.",
      "example": "39.90,116.40"
     },
     {
      "name": "limit",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 1000,
       "default": 10
      },
      "description": "Most piles to return."
     }
    ],
    "responses": {
     "200": {
      "description": "Ranked piles",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "recommendations"
         ],
         "properties": {
          "vehicle": {
           "type": "object",
           "nullable": true
          },
          "recommendations": {
           "type": "array",
           "items": {
            "$ref": "#/components/schemas/Recommendation"
           }
          }
         }
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/events": {
   "get": {
    "operationId": "events",
    "summary": "Server-Sent Events: status, connection, session (with live figures) and finding, as they happen in this gateway process.",
    "security": [
     {},
     {
      "bearerAuth": []
     }
    ],
    "responses": {
     "200": {
      "description": "An endless text/event-stream",
      "content": {
       "text/event-stream": {
        "schema": {
         "type": "string"
        }
       }
      }
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/reservations": {
   "get": {
    "operationId": "reservations",
    "summary": "Reservations, newest first (an accepted one past its expiry reads as expired).",
    "security": [
     {},
     {
      "bearerAuth": []
     }
    ],
    "parameters": [
     {
      "name": "chargePoint",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "limit",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 10000,
       "default": 100
      }
     }
    ],
    "responses": {
     "200": {
      "description": "Reservations",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/Reservation"
         }
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   },
   "post": {
    "operationId": "reserve",
    "summary": "Reserves a connector (0: any) for an id tag or an app account until expiryDate: ReserveNow in the pile's version, under the reservation's id. 201 with the pile's word, also when it says no (status refused).",
    "security": [
     {
      "bearerAuth": []
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "required": [
         "chargePointId",
         "expiryDate"
        ],
        "properties": {
         "chargePointId": {
          "type": "string"
         },
         "connectorId": {
          "type": "integer",
          "minimum": 0,
          "maximum": 1000,
          "default": 0
         },
         "expiryDate": {
          "type": "string",
          "format": "date-time"
         },
         "idTag": {
          "type": "string",
          "maxLength": 36
         },
         "account": {
          "type": "string"
         }
        }
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "The reservation as the pile answered it",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Reservation"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "409": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     },
     "504": {
      "$ref": "#/components/responses/Error"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/reservations/{id}": {
   "get": {
    "operationId": "reservation",
    "summary": "One reservation.",
    "security": [
     {},
     {
      "bearerAuth": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "integer",
       "minimum": 1
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The reservation",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Reservation"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   },
   "delete": {
    "operationId": "cancelReservation",
    "summary": "CancelReservation for one the pile holds; status cancelled when the pile accepts.",
    "security": [
     {
      "bearerAuth": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "integer",
       "minimum": 1
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The reservation after the pile's answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Reservation"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "409": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     },
     "504": {
      "$ref": "#/components/responses/Error"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/firmware": {
   "get": {
    "operationId": "firmwareFiles",
    "summary": "Firmware kept or registered by the gateway, newest first.",
    "security": [
     {},
     {
      "bearerAuth": []
     }
    ],
    "parameters": [
     {
      "name": "limit",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 10000,
       "default": 100
      }
     }
    ],
    "responses": {
     "200": {
      "description": "Firmware files",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/StoredFile"
         }
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   },
   "post": {
    "operationId": "uploadFirmware",
    "summary": "Keeps the raw body as firmware `name` (at most files.maxFileBytes, 64 MiB), served to piles at /files/firmware/{name}; with `location=URL` and no body, registers firmware kept elsewhere. A name taken is 409.",
    "security": [
     {
      "bearerAuth": []
     }
    ],
    "parameters": [
     {
      "name": "name",
      "in": "query",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$"
      },
      "description": "1–128 characters of A–Z a–z 0–9 . _ -, not starting with a dot"
     },
     {
      "name": "location",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 512
      },
      "description": "An http(s) or ftp URL: register instead of upload"
     }
    ],
    "requestBody": {
     "required": false,
     "content": {
      "application/octet-stream": {
       "schema": {
        "type": "string",
        "format": "binary"
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "The firmware's record",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/StoredFile"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "409": {
      "$ref": "#/components/responses/Error"
     },
     "413": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/firmware/{id}": {
   "get": {
    "operationId": "firmwareFile",
    "summary": "One firmware's record, by its name.",
    "security": [
     {},
     {
      "bearerAuth": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      },
      "description": "The firmware's name"
     }
    ],
    "responses": {
     "200": {
      "description": "The firmware's record",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/StoredFile"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/files/firmware/{id}": {
   "get": {
    "operationId": "downloadFirmware",
    "summary": "The firmware file, for piles (no token: piles cannot send one).",
    "security": [
     {}
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      },
      "description": "The firmware's name"
     }
    ],
    "responses": {
     "200": {
      "description": "The file",
      "content": {
       "application/octet-stream": {
        "schema": {
         "type": "string",
         "format": "binary"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/files/uploads/{id}": {
   "put": {
    "operationId": "uploadPut",
    "summary": "Where a pile uploads the file of a diagnostics or log job (the location GetDiagnostics / GetLog gave it): the raw body, or the one file part of multipart/form-data. No token.",
    "security": [
     {}
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "integer",
       "minimum": 1
      },
      "description": "The job"
     }
    ],
    "requestBody": {
     "required": false,
     "content": {
      "application/octet-stream": {
       "schema": {
        "type": "string",
        "format": "binary"
       }
      },
      "multipart/form-data": {
       "schema": {
        "type": "object",
        "properties": {
         "file": {
          "type": "string",
          "format": "binary"
         }
        }
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "The upload's record",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/StoredFile"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "409": {
      "$ref": "#/components/responses/Error"
     },
     "413": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   },
   "post": {
    "operationId": "uploadPost",
    "summary": "Where a pile uploads the file of a diagnostics or log job (the location GetDiagnostics / GetLog gave it): the raw body, or the one file part of multipart/form-data. No token.",
    "security": [
     {}
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "integer",
       "minimum": 1
      },
      "description": "The job"
     }
    ],
    "requestBody": {
     "required": false,
     "content": {
      "application/octet-stream": {
       "schema": {
        "type": "string",
        "format": "binary"
       }
      },
      "multipart/form-data": {
       "schema": {
        "type": "object",
        "properties": {
         "file": {
          "type": "string",
          "format": "binary"
         }
        }
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "The upload's record",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/StoredFile"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "409": {
      "$ref": "#/components/responses/Error"
     },
     "413": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/files/uploads/{id}/{name}": {
   "put": {
    "operationId": "uploadNamedPut",
    "summary": "As /files/uploads/{id}, the file named in the path (piles that append their file name to the location).",
    "security": [
     {}
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "integer",
       "minimum": 1
      },
      "description": "The job"
     },
     {
      "name": "name",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "required": false,
     "content": {
      "application/octet-stream": {
       "schema": {
        "type": "string",
        "format": "binary"
       }
      },
      "multipart/form-data": {
       "schema": {
        "type": "object",
        "properties": {
         "file": {
          "type": "string",
          "format": "binary"
         }
        }
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "The upload's record",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/StoredFile"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "409": {
      "$ref": "#/components/responses/Error"
     },
     "413": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   },
   "post": {
    "operationId": "uploadNamedPost",
    "summary": "As /files/uploads/{id}, the file named in the path (piles that append their file name to the location).",
    "security": [
     {}
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "integer",
       "minimum": 1
      },
      "description": "The job"
     },
     {
      "name": "name",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "required": false,
     "content": {
      "application/octet-stream": {
       "schema": {
        "type": "string",
        "format": "binary"
       }
      },
      "multipart/form-data": {
       "schema": {
        "type": "object",
        "properties": {
         "file": {
          "type": "string",
          "format": "binary"
         }
        }
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "The upload's record",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/StoredFile"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "409": {
      "$ref": "#/components/responses/Error"
     },
     "413": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/uploads/{id}": {
   "get": {
    "operationId": "uploadedFile",
    "summary": "A file a pile uploaded.",
    "security": [
     {},
     {
      "bearerAuth": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "integer",
       "minimum": 1
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The file",
      "content": {
       "application/octet-stream": {
        "schema": {
         "type": "string",
         "format": "binary"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/jobs/{id}": {
   "get": {
    "operationId": "job",
    "summary": "One firmware, diagnostics or log job with its status history and uploads.",
    "security": [
     {},
     {
      "bearerAuth": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "integer",
       "minimum": 1
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The job",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Job"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/chargepoints/{id}/jobs": {
   "get": {
    "operationId": "chargePointJobs",
    "summary": "The pile's firmware, diagnostics and log jobs, newest first.",
    "security": [
     {},
     {
      "bearerAuth": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "kind",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "firmware",
        "diagnostics",
        "log"
       ]
      }
     },
     {
      "name": "limit",
      "in": "query",
      "required": false,
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
      "description": "Jobs",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/Job"
         }
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/chargepoints/{id}/firmware-update": {
   "post": {
    "operationId": "firmwareUpdate",
    "summary": "UpdateFirmware (1.6; 2.0.1 with firmware.location/retrieveDateTime and the job id as requestId) with the gateway's URL of stored firmware `fileName`, or `location`; a job records it. 201 with the job; a pile offline, slow or answering CALLERROR gets the command statuses (the job says failed).",
    "security": [
     {
      "bearerAuth": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "required": false,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "properties": {
         "fileName": {
          "type": "string"
         },
         "location": {
          "type": "string",
          "maxLength": 512
         },
         "retrieveDate": {
          "type": "string",
          "format": "date-time"
         },
         "retries": {
          "type": "integer",
          "minimum": 0,
          "maximum": 100
         },
         "retryInterval": {
          "type": "integer",
          "minimum": 0,
          "maximum": 86400
         }
        }
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "The job",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Job"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "409": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     },
     "504": {
      "$ref": "#/components/responses/Error"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/chargepoints/{id}/diagnostics": {
   "post": {
    "operationId": "diagnostics",
    "summary": "GetDiagnostics (1.6) or GetLog of DiagnosticsLog (2.0.1) with the gateway's upload location for the job. 201 with the job.",
    "security": [
     {
      "bearerAuth": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "required": false,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "properties": {
         "startTime": {
          "type": "string",
          "format": "date-time"
         },
         "stopTime": {
          "type": "string",
          "format": "date-time"
         },
         "retries": {
          "type": "integer",
          "minimum": 0,
          "maximum": 100
         },
         "retryInterval": {
          "type": "integer",
          "minimum": 0,
          "maximum": 86400
         }
        }
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "The job",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Job"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "409": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     },
     "504": {
      "$ref": "#/components/responses/Error"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/chargepoints/{id}/logs": {
   "post": {
    "operationId": "logs",
    "summary": "GetLog (1.6 security extension, 2.0.1) of logType with the gateway's upload location; the job id is the requestId. 201 with the job.",
    "security": [
     {
      "bearerAuth": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "required": [
         "logType"
        ],
        "properties": {
         "logType": {
          "type": "string",
          "enum": [
           "DiagnosticsLog",
           "SecurityLog"
          ]
         },
         "oldestTimestamp": {
          "type": "string",
          "format": "date-time"
         },
         "latestTimestamp": {
          "type": "string",
          "format": "date-time"
         },
         "retries": {
          "type": "integer",
          "minimum": 0,
          "maximum": 100
         },
         "retryInterval": {
          "type": "integer",
          "minimum": 0,
          "maximum": 86400
         }
        }
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "The job",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Job"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "409": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     },
     "504": {
      "$ref": "#/components/responses/Error"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  }
 },
 "components": {
  "securitySchemes": {
   "bearerAuth": {
    "type": "http",
    "scheme": "bearer"
   }
  },
  "responses": {
   "Error": {
    "description": "Error: {\"error\": {\"code\", \"message\"}}",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   }
  },
  "schemas": {
   "Error": {
    "type": "object",
    "required": [
     "error"
    ],
    "properties": {
     "error": {
      "type": "object",
      "required": [
       "code",
       "message"
      ],
      "properties": {
       "code": {
        "type": "string"
       },
       "message": {
        "type": "string"
       },
       "details": {
        "description": "Machine-readable particulars, where the code has any (a payload's field path, a pile's CALLERROR code)."
       }
      }
     }
    }
   },
   "Connector": {
    "type": "object",
    "required": [
     "connectorId",
     "status",
     "since"
    ],
    "properties": {
     "connectorId": {
      "type": "integer",
      "minimum": 0
     },
     "status": {
      "type": "string"
     },
     "errorCode": {
      "type": "string"
     },
     "info": {
      "type": "string"
     },
     "vendorErrorCode": {
      "type": "string"
     },
     "since": {
      "type": "string",
      "format": "date-time"
     },
     "qr": {
      "type": "string"
     }
    }
   },
   "Price": {
    "type": "object",
    "nullable": true,
    "required": [
     "tier",
     "electricityFenPerKWh",
     "serviceFenPerKWh",
     "totalFenPerKWh",
     "until"
    ],
    "properties": {
     "tier": {
      "type": "string",
      "enum": [
       "sharp",
       "peak",
       "flat",
       "valley"
      ]
     },
     "electricityFenPerKWh": {
      "type": "number"
     },
     "serviceFenPerKWh": {
      "type": "number"
     },
     "totalFenPerKWh": {
      "type": "number"
     },
     "until": {
      "type": "string",
      "format": "date-time"
     }
    }
   },
   "ChargePoint": {
    "type": "object",
    "required": [
     "id",
     "connected",
     "connectors",
     "price"
    ],
    "properties": {
     "id": {
      "type": "string"
     },
     "network": {
      "type": "string"
     },
     "vendor": {
      "type": "string"
     },
     "model": {
      "type": "string"
     },
     "serialNumber": {
      "type": "string"
     },
     "firmwareVersion": {
      "type": "string"
     },
     "ocppVersion": {
      "type": "string"
     },
     "registrationStatus": {
      "type": "string"
     },
     "firstSeen": {
      "type": "string",
      "format": "date-time"
     },
     "lastSeen": {
      "type": "string",
      "format": "date-time"
     },
     "connected": {
      "type": "boolean"
     },
     "station": {
      "type": "string"
     },
     "city": {
      "type": "string"
     },
     "latitude": {
      "type": "number"
     },
     "longitude": {
      "type": "number"
     },
     "current": {
      "type": "string",
      "enum": [
       "ac",
       "dc"
      ]
     },
     "maxPowerKW": {
      "type": "number"
     },
     "powerClass": {
      "type": "string",
      "enum": [
       "slow",
       "fast",
       "ultra"
      ]
     },
     "distanceKm": {
      "type": "number"
     },
     "price": {
      "$ref": "#/components/schemas/Price"
     },
     "connectors": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Connector"
      }
     }
    }
   },
   "LiveFigures": {
    "type": "object",
    "nullable": true,
    "required": [
     "energyKWh",
     "elapsedSeconds"
    ],
    "properties": {
     "powerKW": {
      "type": "number"
     },
     "energyKWh": {
      "type": "number"
     },
     "soc": {
      "type": "number"
     },
     "elapsedSeconds": {
      "type": "number"
     },
     "costFen": {
      "type": "integer"
     }
    }
   },
   "Session": {
    "type": "object",
    "required": [
     "id",
     "chargePointId",
     "connectorId",
     "status",
     "startTime",
     "meterStartWh",
     "live"
    ],
    "properties": {
     "id": {
      "type": "integer"
     },
     "chargePointId": {
      "type": "string"
     },
     "connectorId": {
      "type": "integer"
     },
     "idTag": {
      "type": "string"
     },
     "account": {
      "type": "string"
     },
     "ocppVersion": {
      "type": "string"
     },
     "status": {
      "type": "string",
      "enum": [
       "starting",
       "active",
       "completed",
       "failed",
       "abandoned"
      ]
     },
     "failure": {
      "type": "string"
     },
     "authorizationStatus": {
      "type": "string"
     },
     "startTime": {
      "type": "string",
      "format": "date-time"
     },
     "stopTime": {
      "type": "string",
      "format": "date-time"
     },
     "meterStartWh": {
      "type": "integer"
     },
     "meterStopWh": {
      "type": "integer"
     },
     "energyWh": {
      "type": "integer"
     },
     "stopReason": {
      "type": "string"
     },
     "stopIdTag": {
      "type": "string"
     },
     "costFen": {
      "type": "integer"
     },
     "reservationId": {
      "type": "integer"
     },
     "unpluggedAt": {
      "type": "string",
      "format": "date-time"
     },
     "transactionRef": {
      "type": "string",
      "description": "The pile's own transaction id (OCPP 2.0.1 piles choose it)."
     },
     "live": {
      "$ref": "#/components/schemas/LiveFigures"
     }
    }
   },
   "SessionDetail": {
    "allOf": [
     {
      "$ref": "#/components/schemas/Session"
     },
     {
      "type": "object",
      "required": [
       "samples",
       "findings",
       "timeline"
      ],
      "properties": {
       "samples": {
        "type": "array",
        "items": {
         "$ref": "#/components/schemas/Sample"
        }
       },
       "findings": {
        "type": "array",
        "items": {
         "$ref": "#/components/schemas/Finding"
        }
       },
       "timeline": {
        "type": "array",
        "items": {
         "$ref": "#/components/schemas/Frame"
        }
       }
      }
     }
    ]
   },
   "Sample": {
    "type": "object",
    "required": [
     "time",
     "measurand",
     "value"
    ],
    "properties": {
     "time": {
      "type": "string",
      "format": "date-time"
     },
     "measurand": {
      "type": "string"
     },
     "value": {
      "type": "number"
     },
     "unit": {
      "type": "string"
     },
     "phase": {
      "type": "string"
     },
     "location": {
      "type": "string"
     },
     "context": {
      "type": "string"
     }
    }
   },
   "Finding": {
    "type": "object",
    "required": [
     "rule",
     "severity",
     "chargePointId",
     "detail",
     "time"
    ],
    "properties": {
     "rule": {
      "type": "string"
     },
     "severity": {
      "type": "string",
      "enum": [
       "error",
       "warning",
       "info"
      ]
     },
     "chargePointId": {
      "type": "string"
     },
     "sessionId": {
      "type": "integer"
     },
     "messageId": {
      "type": "string"
     },
     "detail": {
      "type": "string"
     },
     "time": {
      "type": "string",
      "format": "date-time"
     }
    }
   },
   "Frame": {
    "type": "object",
    "required": [
     "time",
     "direction",
     "messageType",
     "frame"
    ],
    "properties": {
     "time": {
      "type": "string",
      "format": "date-time"
     },
     "direction": {
      "type": "string",
      "enum": [
       "in",
       "out"
      ]
     },
     "messageType": {
      "type": "integer"
     },
     "messageId": {
      "type": "string"
     },
     "action": {
      "type": "string"
     },
     "frame": {},
     "latencyMs": {
      "type": "number"
     }
    }
   },
   "Receipt": {
    "type": "object",
    "required": [
     "sessionId",
     "currency",
     "lines",
     "energyWh",
     "electricityFen",
     "serviceFen",
     "idleMinutes",
     "idleFen",
     "discountFen",
     "totalFen",
     "final"
    ],
    "properties": {
     "sessionId": {
      "type": "integer"
     },
     "network": {
      "type": "string"
     },
     "currency": {
      "type": "string",
      "enum": [
       "CNY"
      ]
     },
     "lines": {
      "type": "array",
      "items": {
       "type": "object",
       "required": [
        "tier",
        "from",
        "to",
        "energyWh",
        "electricityFen",
        "serviceFen"
       ],
       "properties": {
        "tier": {
         "type": "string",
         "enum": [
          "sharp",
          "peak",
          "flat",
          "valley"
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
        "energyWh": {
         "type": "integer"
        },
        "electricityFen": {
         "type": "integer"
        },
        "serviceFen": {
         "type": "integer"
        }
       }
      }
     },
     "energyWh": {
      "type": "integer"
     },
     "electricityFen": {
      "type": "integer"
     },
     "serviceFen": {
      "type": "integer"
     },
     "idleMinutes": {
      "type": "integer"
     },
     "idleFen": {
      "type": "integer"
     },
     "discountFen": {
      "type": "integer"
     },
     "totalFen": {
      "type": "integer"
     },
     "final": {
      "type": "boolean"
     }
    }
   },
   "Compatibility": {
    "type": "object",
    "required": [
     "networks",
     "rules"
    ],
    "properties": {
     "networks": {
      "type": "array",
      "items": {
       "type": "object",
       "required": [
        "network",
        "model",
        "firmware",
        "piles",
        "sessions",
        "findings"
       ],
       "properties": {
        "network": {
         "type": "string",
         "nullable": true
        },
        "model": {
         "type": "string",
         "nullable": true
        },
        "firmware": {
         "type": "string",
         "nullable": true
        },
        "ocppVersion": {
         "type": "string",
         "nullable": true,
         "description": "1.6 or 2.0.1: a model that ships both is judged per version."
        },
        "piles": {
         "type": "integer"
        },
        "sessions": {
         "type": "integer"
        },
        "findings": {
         "type": "array",
         "items": {
          "type": "object",
          "required": [
           "rule",
           "severity",
           "count",
           "piles",
           "sessions",
           "firstSeen",
           "lastSeen"
          ],
          "properties": {
           "rule": {
            "type": "string"
           },
           "severity": {
            "type": "string",
            "enum": [
             "error",
             "warning",
             "info"
            ]
           },
           "count": {
            "type": "integer"
           },
           "piles": {
            "type": "integer"
           },
           "sessions": {
            "type": "integer"
           },
           "firstSeen": {
            "type": "string",
            "format": "date-time"
           },
           "lastSeen": {
            "type": "string",
            "format": "date-time"
           }
          }
         }
        }
       }
      }
     },
     "rules": {
      "type": "array",
      "items": {
       "type": "object",
       "required": [
        "id",
        "severity",
        "summary",
        "reference",
        "strictReply"
       ],
       "properties": {
        "id": {
         "type": "string"
        },
        "severity": {
         "type": "string",
         "enum": [
          "error",
          "warning",
          "info"
         ]
        },
        "summary": {
         "type": "string"
        },
        "reference": {
         "type": "string"
        },
        "strictReply": {
         "type": "string",
         "nullable": true
        }
       }
      }
     }
    }
   },
   "Recommendation": {
    "type": "object",
    "required": [
     "chargePointId",
     "connectorId",
     "maxPowerKW",
     "minutes",
     "energyKWh",
     "averageKW",
     "score",
     "explanation"
    ],
    "properties": {
     "chargePointId": {
      "type": "string"
     },
     "connectorId": {
      "type": "integer"
     },
     "network": {
      "type": "string"
     },
     "station": {
      "type": "string"
     },
     "city": {
      "type": "string"
     },
     "maxPowerKW": {
      "type": "number"
     },
     "minutes": {
      "type": "number"
     },
     "energyKWh": {
      "type": "number"
     },
     "averageKW": {
      "type": "number"
     },
     "costFen": {
      "type": "integer"
     },
     "distanceKm": {
      "type": "number"
     },
     "driveMinutes": {
      "type": "number"
     },
     "score": {
      "type": "number"
     },
     "explanation": {
      "type": "string"
     }
    }
   },
   "Command": {
    "type": "object",
    "required": [
     "id",
     "chargePointId",
     "time",
     "issuedBy",
     "ocppVersion",
     "action",
     "payload",
     "outcome"
    ],
    "properties": {
     "id": {
      "type": "integer"
     },
     "chargePointId": {
      "type": "string"
     },
     "time": {
      "type": "string",
      "format": "date-time"
     },
     "issuedBy": {
      "type": "string",
      "description": "token:XXXXXXXX, a fingerprint of the API token used (never the token)"
     },
     "ocppVersion": {
      "type": "string"
     },
     "action": {
      "type": "string"
     },
     "payload": {
      "type": "string",
      "description": "The request payload as sent (JSON text)"
     },
     "outcome": {
      "type": "string",
      "enum": [
       "answered",
       "pile_error",
       "invalid_response",
       "pile_timeout",
       "pile_offline"
      ]
     },
     "response": {
      "type": "string",
      "description": "The pile's answer payload (JSON text)"
     },
     "errorCode": {
      "type": "string"
     },
     "errorDescription": {
      "type": "string"
     },
     "latencyMs": {
      "type": "number"
     }
    }
   },
   "Reservation": {
    "type": "object",
    "required": [
     "id",
     "chargePointId",
     "connectorId",
     "idTag",
     "expiry",
     "status",
     "createdAt",
     "ocppVersion"
    ],
    "properties": {
     "id": {
      "type": "integer",
      "description": "also the reservationId on the wire"
     },
     "chargePointId": {
      "type": "string"
     },
     "connectorId": {
      "type": "integer"
     },
     "idTag": {
      "type": "string"
     },
     "account": {
      "type": "string"
     },
     "expiry": {
      "type": "string",
      "format": "date-time"
     },
     "status": {
      "type": "string",
      "enum": [
       "requested",
       "accepted",
       "refused",
       "failed",
       "used",
       "cancelled",
       "expired"
      ]
     },
     "answer": {
      "type": "string",
      "description": "The pile's word (Accepted, Occupied, Faulted, Unavailable, Rejected), or why there was none"
     },
     "sessionId": {
      "type": "integer"
     },
     "createdAt": {
      "type": "string",
      "format": "date-time"
     },
     "ocppVersion": {
      "type": "string"
     }
    }
   },
   "StoredFile": {
    "type": "object",
    "required": [
     "id",
     "kind",
     "name",
     "createdAt"
    ],
    "properties": {
     "id": {
      "type": "integer"
     },
     "kind": {
      "type": "string",
      "enum": [
       "firmware",
       "upload"
      ]
     },
     "name": {
      "type": "string",
      "description": "Firmware: its unique name. Upload: the name the pile gave it (last path component, other characters as _)"
     },
     "jobId": {
      "type": "integer",
      "description": "Upload: its job"
     },
     "size": {
      "type": "integer",
      "minimum": 0,
      "description": "Bytes kept; absent for firmware registered by URL"
     },
     "contentType": {
      "type": "string"
     },
     "sha256": {
      "type": "string",
      "pattern": "^[0-9a-f]{64}$",
      "description": "SHA-256 of the bytes kept, lowercase hex; absent for firmware registered by URL"
     },
     "location": {
      "type": "string",
      "description": "Firmware registered by URL: where piles fetch it"
     },
     "createdAt": {
      "type": "string",
      "format": "date-time"
     },
     "url": {
      "type": "string",
      "description": "Firmware: the URL piles are sent to"
     },
     "download": {
      "type": "string",
      "description": "Upload: its API path"
     }
    }
   },
   "JobEvent": {
    "type": "object",
    "required": [
     "time",
     "source",
     "status"
    ],
    "properties": {
     "time": {
      "type": "string",
      "format": "date-time"
     },
     "source": {
      "type": "string",
      "enum": [
       "gateway",
       "pile",
       "upload"
      ]
     },
     "status": {
      "type": "string",
      "description": "Requested, Accepted, Refused, Failed (gateway); the pile's status word (Downloading … Installed, Uploading, Uploaded, UploadFailed …); FileReceived (upload)"
     },
     "detail": {
      "type": "string"
     }
    }
   },
   "Job": {
    "type": "object",
    "required": [
     "id",
     "chargePointId",
     "kind",
     "ocppVersion",
     "action",
     "request",
     "status",
     "createdAt",
     "updatedAt",
     "history",
     "uploads"
    ],
    "properties": {
     "id": {
      "type": "integer",
      "description": "also the requestId on the wire (2.0.1, GetLog)"
     },
     "chargePointId": {
      "type": "string"
     },
     "kind": {
      "type": "string",
      "enum": [
       "firmware",
       "diagnostics",
       "log"
      ]
     },
     "ocppVersion": {
      "type": "string"
     },
     "action": {
      "type": "string",
      "description": "UpdateFirmware, GetDiagnostics or GetLog"
     },
     "request": {
      "description": "The command's payload as sent"
     },
     "status": {
      "type": "string",
      "enum": [
       "requested",
       "accepted",
       "refused",
       "running",
       "succeeded",
       "failed"
      ]
     },
     "pileStatus": {
      "type": "string",
      "description": "The pile's last status word"
     },
     "answer": {
      "type": "string",
      "description": "The pile's answer (status word or file name), or the command's failure code"
     },
     "fileName": {
      "type": "string",
      "description": "The file the pile said it uploads"
     },
     "createdAt": {
      "type": "string",
      "format": "date-time"
     },
     "updatedAt": {
      "type": "string",
      "format": "date-time"
     },
     "history": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/JobEvent"
      }
     },
     "uploads": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/StoredFile"
      }
     }
    }
   }
  }
 }
}
"""#
}
