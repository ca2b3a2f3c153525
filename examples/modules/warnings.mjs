// A filter stage: keeps warnings only.
export default (record) => record.value.level === 'warn';
