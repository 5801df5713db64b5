/// The shapes the API's bodies have, referenced by name from the route declarations
/// (`Routes/`): the `components` of the OpenAPI document served at /openapi.json.
enum OpenAPISchemas {
    static let components = #"""
{
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
    "chargingLimits": {
     "type": "array",
     "description": "One pile only: the external limits (NotifyChargingLimit) a 2.0.1 station reported in force, per EVSE (0: the station)",
     "items": {
      "$ref": "#/components/schemas/ExternalChargingLimit"
     }
    },
    "evChargingNeeds": {
     "type": "array",
     "description": "One pile only: what each EVSE's EV last said it needs (NotifyEVChargingNeeds), range-checked",
     "items": {
      "$ref": "#/components/schemas/EVChargingNeeds"
     }
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
    },
    "evidence": {
     "type": "string",
     "description": "API path of the frames of the offending message (its CALL and the answer)."
    },
    "sessionLink": {
     "type": "string",
     "description": "API path of the session the finding belongs to."
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
          },
          "latest": {
           "allOf": [
            {
             "$ref": "#/components/schemas/Finding"
            }
           ],
           "description": "The most recent finding of the rule in the group: its detail and evidence."
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
  "Health": {
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
  },
  "CommandAnswer": {
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
  },
  "ConfigurationRead": {
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
  },
  "ConfigurationChanged": {
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
  },
  "StopAccepted": {
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
  },
  "Recommendations": {
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
  },
  "DeviceModelAttribute": {
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
  },
  "PileNotice": {
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
      "security",
      "chargingLimit",
      "chargingLimitCleared",
      "evChargingNeeds",
      "evChargingSchedule"
     ]
    },
    "status": {
     "type": "string",
     "description": "The pile's status word, the security event's type, a limit's chargingLimitSource, the EV's requestedEnergyTransfer or its schedule's chargingRateUnit"
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
  },
  "RemoteStartRequest": {
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
  },
  "ConfigurationChange": {
   "type": "object",
   "required": [
    "value"
   ],
   "properties": {
    "value": {
     "type": "string"
    }
   }
  },
  "ScanRequest": {
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
  "ReservationRequest": {
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
  },
  "CommandPayload": {
   "type": "object",
   "description": "The action's request payload; no body is {}."
  },
  "LocalListEntry": {
   "type": "object",
   "required": [
    "idTag",
    "idTagInfo"
   ],
   "properties": {
    "idTag": {
     "type": "string",
     "minLength": 1,
     "maxLength": 36
    },
    "idTagInfo": {
     "type": "object",
     "required": [
      "status"
     ],
     "properties": {
      "status": {
       "type": "string",
       "description": "Accepted, Blocked, Expired, Invalid, ConcurrentTx (2.0.1 also NoCredit, NotAtThisTime …)"
      },
      "expiryDate": {
       "type": "string",
       "format": "date-time"
      },
      "parentIdTag": {
       "type": "string",
       "minLength": 1,
       "maxLength": 36
      }
     }
    }
   }
  },
  "LocalList": {
   "type": "object",
   "required": [
    "chargePointId",
    "version",
    "source",
    "entries",
    "inSync",
    "notSupported"
   ],
   "properties": {
    "chargePointId": {
     "type": "string"
    },
    "version": {
     "type": "integer",
     "description": "The gateway's list version; each change takes the next; 0: not made yet (the list the accounts would make)"
    },
    "source": {
     "type": "string",
     "enum": [
      "accounts",
      "explicit"
     ]
    },
    "entries": {
     "type": "array",
     "items": {
      "$ref": "#/components/schemas/LocalListEntry"
     }
    },
    "updatedAt": {
     "type": "string",
     "format": "date-time"
    },
    "inSync": {
     "type": "boolean",
     "description": "The pile accepted this version of the list"
    },
    "acceptedVersion": {
     "type": "integer",
     "nullable": true
    },
    "lastSent": {
     "type": "object",
     "nullable": true,
     "properties": {
      "updateType": {
       "type": "string",
       "enum": [
        "Full",
        "Differential"
       ]
      },
      "version": {
       "type": "integer",
       "nullable": true
      },
      "at": {
       "type": "string",
       "format": "date-time",
       "nullable": true
      }
     }
    },
    "lastAnswer": {
     "type": "object",
     "nullable": true,
     "properties": {
      "status": {
       "type": "string",
       "description": "Accepted, Failed, NotSupported, VersionMismatch, or why there was none (pile_error, pile_timeout, pile_offline, invalid_response, too_long)"
      },
      "at": {
       "type": "string",
       "format": "date-time",
       "nullable": true
      }
     }
    },
    "pileVersion": {
     "type": "object",
     "nullable": true,
     "properties": {
      "listVersion": {
       "type": "integer"
      },
      "at": {
       "type": "string",
       "format": "date-time",
       "nullable": true
      }
     }
    },
    "notSupported": {
     "type": "boolean"
    },
    "maxLength": {
     "type": "integer",
     "nullable": true
    },
    "maxPerSend": {
     "type": "integer",
     "nullable": true
    }
   }
  },
  "LocalListSync": {
   "type": "object",
   "required": [
    "upToDate",
    "sent",
    "list"
   ],
   "properties": {
    "pileVersionBefore": {
     "type": "integer",
     "nullable": true
    },
    "upToDate": {
     "type": "boolean"
    },
    "sent": {
     "type": "array",
     "items": {
      "type": "object",
      "required": [
       "updateType",
       "version",
       "entries",
       "answer"
      ],
      "properties": {
       "updateType": {
        "type": "string",
        "enum": [
         "Full",
         "Differential"
        ]
       },
       "version": {
        "type": "integer"
       },
       "entries": {
        "type": "integer"
       },
       "answer": {
        "type": "string"
       }
      }
     }
    },
    "list": {
     "$ref": "#/components/schemas/LocalList"
    }
   }
  },
  "ChargingProfile": {
   "type": "object",
   "required": [
    "connectorId",
    "chargingProfileId",
    "purpose",
    "stackLevel",
    "profile",
    "ocppVersion",
    "storedAt"
   ],
   "properties": {
    "connectorId": {
     "type": "integer",
     "description": "1.6 connectorId, 2.0.1 evseId (0: the whole pile)"
    },
    "chargingProfileId": {
     "type": "integer"
    },
    "purpose": {
     "type": "string"
    },
    "stackLevel": {
     "type": "integer"
    },
    "transactionId": {
     "anyOf": [
      {
       "type": "integer"
      },
      {
       "type": "string",
       "nullable": true
      }
     ],
     "description": "As the pile's version writes it: an integer (1.6) or a string (2.0.1); null for none"
    },
    "validFrom": {
     "type": "string",
     "format": "date-time",
     "nullable": true
    },
    "validTo": {
     "type": "string",
     "format": "date-time",
     "nullable": true
    },
    "profile": {
     "type": "object",
     "description": "The profile as sent"
    },
    "ocppVersion": {
     "type": "string"
    },
    "storedAt": {
     "type": "string",
     "format": "date-time"
    },
    "source": {
     "type": "string",
     "nullable": true,
     "description": "The chargingLimitSource a 2.0.1 station reported it under (CSO, EMS, SO, Other); null for a profile set here and not reported since"
    },
    "reportedAt": {
     "type": "string",
     "format": "date-time",
     "nullable": true,
     "description": "When the station last reported holding it (ReportChargingProfiles)"
    }
   }
  },
  "ExternalChargingLimit": {
   "type": "object",
   "required": [
    "source",
    "reportedAt"
   ],
   "properties": {
    "evseId": {
     "type": "integer",
     "description": "0: the whole station"
    },
    "source": {
     "type": "string",
     "description": "chargingLimitSource: EMS, SO, Other"
    },
    "isGridCritical": {
     "type": "boolean"
    },
    "chargingSchedule": {
     "type": "array",
     "description": "The 2.0.1 ChargingSchedules, without periods whose numbers no pile can mean",
     "items": {
      "type": "object"
     }
    },
    "reportedAt": {
     "type": "string",
     "format": "date-time"
    }
   }
  },
  "EVChargingNeeds": {
   "type": "object",
   "required": [
    "evseId",
    "requestedEnergyTransfer",
    "reportedAt"
   ],
   "properties": {
    "evseId": {
     "type": "integer"
    },
    "requestedEnergyTransfer": {
     "type": "string"
    },
    "departureTime": {
     "type": "string",
     "format": "date-time"
    },
    "energyAmountWh": {
     "type": "integer"
    },
    "evMinCurrentA": {
     "type": "integer"
    },
    "evMaxCurrentA": {
     "type": "integer"
    },
    "evMaxVoltageV": {
     "type": "integer"
    },
    "evMaxPowerW": {
     "type": "integer"
    },
    "stateOfCharge": {
     "type": "integer"
    },
    "evEnergyCapacityWh": {
     "type": "integer"
    },
    "fullSoC": {
     "type": "integer"
    },
    "bulkSoC": {
     "type": "integer"
    },
    "maxScheduleTuples": {
     "type": "integer"
    },
    "reportedAt": {
     "type": "string",
     "format": "date-time"
    }
   }
  },
  "LocalListChange": {
   "type": "object",
   "properties": {
    "entries": {
     "type": "array",
     "maxItems": 10000,
     "items": {
      "$ref": "#/components/schemas/LocalListEntry"
     }
    },
    "source": {
     "type": "string",
     "enum": [
      "accounts",
      "explicit"
     ],
     "description": "accounts: built from the accounts and id tags (no entries); explicit: the entries given"
    }
   }
  },
  "LocalListSet": {
   "allOf": [
    {
     "$ref": "#/components/schemas/LocalList"
    },
    {
     "type": "object",
     "properties": {
      "sync": {
       "type": "object",
       "nullable": true,
       "description": "The sync made (as POST …/local-list/sync answers), or null when none was (localList.push: off, the pile offline or not supporting lists)"
      }
     }
    }
   ]
  },
  "LocalListSyncRequest": {
   "type": "object",
   "properties": {
    "updateType": {
     "type": "string",
     "enum": [
      "Full",
      "Differential"
     ]
    }
   }
  },
  "PileListVersion": {
   "type": "object",
   "required": [
    "ocppVersion",
    "listVersion"
   ],
   "properties": {
    "ocppVersion": {
     "type": "string"
    },
    "listVersion": {
     "type": "integer"
    }
   }
  },
  "ChargingProfileRequest": {
   "type": "object",
   "properties": {
    "connectorId": {
     "type": "integer",
     "minimum": 0,
     "maximum": 1000
    },
    "evseId": {
     "type": "integer",
     "minimum": 0,
     "maximum": 1000
    },
    "csChargingProfiles": {
     "type": "object"
    },
    "chargingProfile": {
     "type": "object"
    }
   }
  },
  "CompositeScheduleView": {
   "type": "object",
   "required": [
    "connectorId",
    "expected"
   ],
   "properties": {
    "connectorId": {
     "type": "integer"
    },
    "expected": {
     "type": "object",
     "description": "scheduleStart, duration, chargingRateUnit and chargingSchedulePeriod [{startPeriod, limit, numberPhases}]"
    },
    "ocppVersion": {
     "type": "string"
    },
    "pile": {
     "type": "object",
     "description": "The pile's GetCompositeSchedule answer (ask=pile)"
    },
    "agrees": {
     "type": "boolean",
     "nullable": true
    },
    "differences": {
     "type": "array",
     "items": {
      "type": "string"
     }
    }
   }
  },
  "ChargingProfileAnswer": {
   "type": "object",
   "required": [
    "ocppVersion",
    "response",
    "profiles"
   ],
   "properties": {
    "ocppVersion": {
     "type": "string"
    },
    "response": {
     "type": "object"
    },
    "profiles": {
     "type": "array",
     "items": {
      "$ref": "#/components/schemas/ChargingProfile"
     }
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
  },
  "FirmwareUpdateRequest": {
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
    },
    "signingCertificate": {
     "type": "string",
     "maxLength": 5500,
     "description": "PEM of the certificate the firmware was signed with; with signature, a signed update"
    },
    "signature": {
     "type": "string",
     "maxLength": 800,
     "description": "Base64 signature of the firmware file"
    }
   }
  },
  "DiagnosticsRequest": {
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
  },
  "LogRequest": {
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
  },
  "PileSecurity": {
   "type": "object",
   "required": ["chargePointId", "securityProfile", "hasPassword"],
   "properties": {
    "chargePointId": {"type": "string"},
    "securityProfile": {"type": "integer", "minimum": 0, "maximum": 3},
    "hasPassword": {"type": "boolean"}
   }
  },
  "PileSecurityChange": {
   "type": "object",
   "additionalProperties": false,
   "properties": {
    "securityProfile": {"type": "integer", "minimum": 0, "maximum": 3},
    "password": {"type": "string", "minLength": 16, "maxLength": 40, "description": "printable ASCII without spaces"},
    "allowDowngrade": {"type": "boolean"}
   }
  },
  "PasswordRotationRequest": {
   "type": "object",
   "additionalProperties": false,
   "properties": {
    "password": {"type": "string", "minLength": 16, "maxLength": 40, "description": "printable ASCII without spaces; omitted: 40 random hex digits"}
   }
  },
  "PasswordRotation": {
   "allOf": [
    {"$ref": "#/components/schemas/PileSecurity"},
    {
     "type": "object",
     "required": ["status", "applied"],
     "properties": {
      "status": {"type": "string", "description": "the pile's answer: Accepted, Rejected, RebootRequired, NotSupported …"},
      "applied": {"type": "boolean"}
     }
    }
   ]
  },
  "CertificateCommand": {
   "type": "object",
   "required": ["chargePointId", "status"],
   "properties": {
    "chargePointId": {"type": "string"},
    "status": {"type": "string", "description": "the pile's answer: Accepted, Rejected, Failed, NotImplemented …"}
   }
  }
 }
}
"""#
}
