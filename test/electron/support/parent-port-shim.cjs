// Stands in for Electron's utilityProcess parentPort in a plain Node child (forked with
// serialization 'advanced', which is structured clone like Electron's MessagePort).
process.parentPort = {
  on: (event, listener) => process.on(event, (data) => listener({ data })),
  postMessage: (message) => process.send(message),
};
