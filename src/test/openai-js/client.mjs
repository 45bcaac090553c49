// The official openai SDK as a caller of the service's OpenAI-compatible API, run by OpenAiSdkTest.
// Usage: node client.mjs <base URL, e.g. http://127.0.0.1:8080/v1> <scenario>
// Env: OPENAI_API_KEY (sent as Authorization: Bearer), EXTRA_HEADERS (a JSON object of more headers), MODEL.
// Prints one JSON line with what the SDK made of the answer; exits 1 only when the scenario itself went wrong.
import OpenAI from 'openai';

const [baseURL, scenario] = process.argv.slice(2);
const model = process.env.MODEL ?? 'fake-model-1';
const client = new OpenAI({
  baseURL,
  apiKey: process.env.OPENAI_API_KEY ?? 'not-a-key',
  defaultHeaders: JSON.parse(process.env.EXTRA_HEADERS ?? '{}'),
  maxRetries: 0,
  timeout: 20_000,
});
const messages = [{ role: 'developer', content: 'Be terse.' }, { role: 'user', content: 'Hi' }];
const weather = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The weather of a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

/** How the SDK surfaced a failure: its error class and what it read from the error member. */
function failure(error) {
  return {
    threw: true,
    error_class: error.constructor.name,
    is_api_error: error instanceof OpenAI.APIError,
    status: error.status ?? null,
    code: error.code ?? null,
    type: error.type ?? null,
    param: error.param ?? null,
    message: error.message,
  };
}

const scenarios = {
  async complete() {
    const answer = await client.chat.completions.create({ model, messages, temperature: 0.3 });
    return { id: answer.id, object: answer.object, model: answer.model, content: answer.choices[0].message.content,
      finish_reason: answer.choices[0].finish_reason, usage: answer.usage };
  },

  async stream() {
    const stream = await client.chat.completions.create({ model, messages, stream: true,
      stream_options: { include_usage: true } });
    let text = '';
    let usage = null;
    let finishReason = null;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks += 1;
      if (chunk.usage) usage = chunk.usage;
      for (const choice of chunk.choices) {
        text += choice.delta?.content ?? '';
        finishReason = choice.finish_reason ?? finishReason;
      }
    }
    return { text, usage, finish_reason: finishReason, chunks, ended_normally: true };
  },

  async tools() {
    const answer = await client.chat.completions.create({ model, messages, tools: [weather], tool_choice: 'auto' });
    const message = answer.choices[0].message;
    return { content: message.content, tool_calls: message.tool_calls, finish_reason: answer.choices[0].finish_reason };
  },

  // Bound to a conversation (X-Conversation-ID in EXTRA_HEADERS): the usual SDK loop of a tool call, where the
  // caller sends the whole transcript back and the service reads only its new end.
  async bound_tool_round_trip() {
    const first = await client.chat.completions.create({ model, messages, tools: [weather] });
    const call = first.choices[0].message.tool_calls[0];
    const second = await client.chat.completions.create({ model, tools: [weather], messages: [...messages,
      first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: '{"temp_c": 21}' }] });
    return { first_finish_reason: first.choices[0].finish_reason, call, content: second.choices[0].message.content,
      finish_reason: second.choices[0].finish_reason };
  },

  async stream_tools() {
    // The SDK's own accumulator joins the tool-call deltas by index.
    const stream = client.chat.completions.stream({ model, messages, tools: [weather] });
    const answer = await stream.finalChatCompletion();
    const message = answer.choices[0].message;
    return { tool_calls: message.tool_calls, finish_reason: answer.choices[0].finish_reason };
  },

  async json_schema() {
    const answer = await client.chat.completions.create({ model, messages,
      response_format: { type: 'json_schema', json_schema: { name: 'weather', strict: true,
        schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'],
          additionalProperties: false } } } });
    return { content: answer.choices[0].message.content };
  },

  async broken_stream() {
    let text = '';
    try {
      const stream = await client.chat.completions.create({ model, messages, stream: true });
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? '';
      }
      return { threw: false, text, ended_normally: true };
    } catch (error) {
      return { ...failure(error), text };
    }
  },

  async refused() {
    try {
      await client.chat.completions.create({ model, messages });
      return { threw: false };
    } catch (error) {
      return failure(error);
    }
  },

  async models() {
    const ids = [];
    for await (const entry of client.models.list()) {
      ids.push({ id: entry.id, object: entry.object, owned_by: entry.owned_by });
    }
    return { models: ids };
  },
};

if (!scenarios[scenario]) {
  console.error(`unknown scenario ${scenario}; one of ${Object.keys(scenarios).join(', ')}`);
  process.exit(2);
}
try {
  console.log(JSON.stringify(await scenarios[scenario]()));
} catch (error) {
  console.log(JSON.stringify(failure(error)));
  process.exit(1);
}
