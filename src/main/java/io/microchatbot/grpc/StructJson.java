package io.microchatbot.grpc;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;

import io.microchatbot.problem.ApiException;

/**
 * A {@code google.protobuf.Struct} as the JSON object REST would have received (metadata, tool parameters,
 * response schemas). Struct numbers are doubles: whole ones become integers again (up to 2^53, where doubles are
 * exact), so that {@code 42} is stored and checked as {@code 42}, not {@code 42.0}.
 */
@ApplicationScoped
class StructJson {

    private static final double EXACT_DOUBLE = 9_007_199_254_740_992d;

    private final ObjectMapper json;

    StructJson(ObjectMapper json) {
        this.json = json;
    }

    /** The Struct as a JSON object; a number JSON cannot hold is refused, naming {@code field}. */
    ObjectNode object(Struct struct, String field) {
        ObjectNode object = json.createObjectNode();
        struct.getFieldsMap().forEach((name, value) -> object.set(name, node(value, field)));
        return object;
    }

    private JsonNode node(Value value, String field) {
        return switch (value.getKindCase()) {
            case NULL_VALUE, KIND_NOT_SET -> NullNode.getInstance();
            case BOOL_VALUE -> BooleanNode.valueOf(value.getBoolValue());
            case STRING_VALUE -> TextNode.valueOf(value.getStringValue());
            case NUMBER_VALUE -> number(value.getNumberValue(), field);
            case STRUCT_VALUE -> object(value.getStructValue(), field);
            case LIST_VALUE -> {
                ArrayNode array = json.createArrayNode();
                value.getListValue().getValuesList().forEach(element -> array.add(node(element, field)));
                yield array;
            }
        };
    }

    private static JsonNode number(double number, String field) {
        if (number == Math.rint(number) && Math.abs(number) <= EXACT_DOUBLE) {
            return LongNode.valueOf((long) number);
        }
        if (Double.isNaN(number) || Double.isInfinite(number)) {
            throw ApiException.invalid(field, "must hold finite numbers only");
        }
        return DoubleNode.valueOf(number);
    }
}
