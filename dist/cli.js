#!/usr/bin/env node
import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 21:
/***/ ((module) => {



module.exports = ({onlyFirst = false} = {}) => {
	const pattern = [
		'[\\u001B\\u009B][[\\]()#;?]*(?:(?:(?:(?:;[-a-zA-Z\\d\\/#&.:=?%@~_]+)*|[a-zA-Z\\d]+(?:;[-a-zA-Z\\d\\/#&.:=?%@~_]*)*)?\\u0007)',
		'(?:(?:\\d{1,4}(?:;\\d{0,4})*)?[\\dA-PR-TZcf-ntqry=><~]))'
	].join('|');

	return new RegExp(pattern, onlyFirst ? undefined : 'g');
};


/***/ }),

/***/ 8502:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

const _SingleBar = __nccwpck_require__(2176);
const _MultiBar = __nccwpck_require__(9307);
const _Presets = __nccwpck_require__(1921);
const _Formatter = __nccwpck_require__(4740);
const _defaultFormatValue = __nccwpck_require__(8023);
const _defaultFormatBar = __nccwpck_require__(5563);
const _defaultFormatTime = __nccwpck_require__(9061);

// sub-module access
module.exports = {
    Bar: _SingleBar,
    SingleBar: _SingleBar,
    MultiBar: _MultiBar,
    Presets: _Presets,
    Format: {
        Formatter: _Formatter,
        BarFormat: _defaultFormatBar,
        ValueFormat: _defaultFormatValue,
        TimeFormat: _defaultFormatTime
    }
};

/***/ }),

/***/ 4250:
/***/ ((module) => {


// ETA calculation
class ETA{

    constructor(length, initTime, initValue){
        // size of eta buffer
        this.etaBufferLength = length || 100;

        // eta buffer with initial values
        this.valueBuffer = [initValue];
        this.timeBuffer = [initTime];

        // eta time value
        this.eta = '0';
    }

    // add new values to calculation buffer
    update(time, value, total){
        this.valueBuffer.push(value);
        this.timeBuffer.push(time);

        // trigger recalculation
        this.calculate(total-value);
    }

    // fetch estimated time
    getTime(){
        return this.eta;
    }

    // eta calculation - request number of remaining events
    calculate(remaining){
        // get number of samples in eta buffer
        const currentBufferSize = this.valueBuffer.length;
        const buffer = Math.min(this.etaBufferLength, currentBufferSize);

        const v_diff = this.valueBuffer[currentBufferSize - 1] - this.valueBuffer[currentBufferSize - buffer];
        const t_diff = this.timeBuffer[currentBufferSize - 1] - this.timeBuffer[currentBufferSize - buffer];

        // get progress per ms
        const vt_rate = v_diff/t_diff;

        // strip past elements
        this.valueBuffer = this.valueBuffer.slice(-this.etaBufferLength);
        this.timeBuffer  = this.timeBuffer.slice(-this.etaBufferLength);

        // eq: vt_rate *x = total
        const eta = Math.ceil(remaining/vt_rate/1000);

        // check values
        if (isNaN(eta)){
            this.eta = 'NULL';

        // +/- Infinity --- NaN already handled
        }else if (!isFinite(eta)){
            this.eta = 'INF';

        // > 10M s ? - set upper display limit ~115days (1e7/60/60/24)
        }else if (eta > 1e7){
            this.eta = 'INF';

        // negative ?
        }else if (eta < 0){
            this.eta = 0;

        }else{
            // assign
            this.eta = eta;
        }
    }
}

module.exports = ETA;

/***/ }),

/***/ 5563:
/***/ ((module) => {

// format bar
module.exports = function formatBar(progress, options){
    // calculate barsize
    const completeSize = Math.round(progress*options.barsize);
    const incompleteSize = options.barsize-completeSize;

   // generate bar string by stripping the pre-rendered strings
   return   options.barCompleteString.substr(0, completeSize) +
            options.barGlue +
            options.barIncompleteString.substr(0, incompleteSize);
}

/***/ }),

/***/ 9061:
/***/ ((module) => {

// default time format

// format a number of seconds into hours and minutes as appropriate
module.exports = function formatTime(t, options, roundToMultipleOf){
    function round(input) {
        if (roundToMultipleOf) {
            return roundToMultipleOf * Math.round(input / roundToMultipleOf);
        } else {
            return input
        }
    }

    // leading zero padding
    function autopadding(v){
        return (options.autopaddingChar + v).slice(-2);
    }

    // > 1h ?
    if (t > 3600) {
        return autopadding(Math.floor(t / 3600)) + 'h' + autopadding(round((t % 3600) / 60)) + 'm';

    // > 60s ?
    } else if (t > 60) {
        return autopadding(Math.floor(t / 60)) + 'm' + autopadding(round((t % 60))) + 's';

    // > 10s ?
    } else if (t > 10) {
        return autopadding(round(t)) + 's';

    // default: don't apply round to multiple
    }else{
        return autopadding(t) + 's';
    }
}

/***/ }),

/***/ 8023:
/***/ ((module) => {

// default value format (apply autopadding)

// format valueset
module.exports = function formatValue(v, options, type){
    // no autopadding ? passthrough
    if (options.autopadding !== true){
        return v;
    }

    // padding
    function autopadding(value, length){
        return (options.autopaddingChar + value).slice(-length);
    }

    switch (type){
        case 'percentage':
            return autopadding(v, 3);

        default:
            return v;
    }
}

/***/ }),

/***/ 4740:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

const _stringWidth = __nccwpck_require__(60);
const _defaultFormatValue = __nccwpck_require__(8023);
const _defaultFormatBar = __nccwpck_require__(5563);
const _defaultFormatTime = __nccwpck_require__(9061);

// generic formatter
module.exports = function defaultFormatter(options, params, payload){

    // copy format string
    let s = options.format;

    // custom time format set ?
    const formatTime = options.formatTime || _defaultFormatTime;
    
    // custom value format set ?
    const formatValue = options.formatValue || _defaultFormatValue;

    // custom bar format set ?
    const formatBar = options.formatBar || _defaultFormatBar;

    // calculate progress in percent
    const percentage =  Math.floor(params.progress*100) + '';

    // bar stopped and stopTime set ?
    const stopTime = params.stopTime || Date.now();

    // calculate elapsed time
    const elapsedTime = Math.round((stopTime - params.startTime)/1000);

    // merges data from payload and calculated
    const context = Object.assign({}, payload, {
        bar:                    formatBar(params.progress, options),

        percentage:             formatValue(percentage, options, 'percentage'),
        total:                  formatValue(params.total, options, 'total'),
        value:                  formatValue(params.value, options, 'value'),

        eta:                    formatValue(params.eta, options, 'eta'),
        eta_formatted:          formatTime(params.eta, options, 5),
        
        duration:               formatValue(elapsedTime, options, 'duration'),
        duration_formatted:     formatTime(elapsedTime, options, 1)
    });

    // assign placeholder tokens
    s = s.replace(/\{(\w+)\}/g, function(match, key){
        // key exists within payload/context
        if (typeof context[key] !== 'undefined') {
            return context[key];
        }

        // no changes to unknown values
        return match;
    });

    // calculate available whitespace (2 characters margin of error)
    const fullMargin = Math.max(0, params.maxWidth - _stringWidth(s) -2);
    const halfMargin = Math.floor(fullMargin / 2);

    // distribute available whitespace according to position
    switch (options.align) {

        // fill start-of-line with whitespaces
        case 'right':
            s = (fullMargin > 0) ? ' '.repeat(fullMargin) + s : s;
            break;

        // distribute whitespaces to left+right
        case 'center':
            s = (halfMargin > 0) ? ' '.repeat(halfMargin) + s : s;
            break;

        // default: left align, no additional whitespaces
        case 'left':
        default:
            break;
    }

    return s;
}


/***/ }),

/***/ 5123:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

const _ETA = __nccwpck_require__(4250);
const _Terminal = __nccwpck_require__(7748);
const _formatter = __nccwpck_require__(4740);
const _options = __nccwpck_require__(1596);
const _EventEmitter = __nccwpck_require__(4434);

// Progress-Bar constructor
module.exports = class GenericBar extends _EventEmitter{

    constructor(options){
        super();

        // store options and assign derived ones (instance specific)
        this.options = _options.assignDerivedOptions(options);

        // store terminal instance
        this.terminal = (this.options.terminal) ? this.options.terminal : new _Terminal(this.options.stream);

        // the current bar value
        this.value = 0;

        // bar start value (used for progress calculation)
        this.startValue = 0;

        // the end value of the bar
        this.total = 100;

        // last drawn string - only render on change!
        this.lastDrawnString = null;

        // start time (used for eta calculation)
        this.startTime = null;

        // stop time (used for duration calculation)
        this.stopTime = null;

        // last update time
        this.lastRedraw = Date.now();

        // default eta calculator (will be re-create on start)
        this.eta = new _ETA(this.options.etaBufferLength, 0, 0);

        // payload data
        this.payload = {};

        // progress bar active ?
        this.isActive = false;

        // use default formatter or custom one ?
        this.formatter = (typeof this.options.format === 'function') ? this.options.format : _formatter;
    }

    // internal render function
    render(forceRendering=false){

        // formatter params
        const params = {
            progress: this.getProgress(),
            eta: this.eta.getTime(),
            startTime: this.startTime,
            stopTime: this.stopTime,
            total: this.total,
            value: this.value,
            maxWidth: this.terminal.getWidth()
        };

        // automatic eta update ? (long running processes)
        if (this.options.etaAsynchronousUpdate){
            this.updateETA();
        }

        // format string
        const s = this.formatter(this.options, params, this.payload);

        const forceRedraw = forceRendering || this.options.forceRedraw
            // force redraw in notty-mode!
            || (this.options.noTTYOutput && !this.terminal.isTTY());

        // string changed ? only trigger redraw on change!
        if (forceRedraw || this.lastDrawnString != s){
            // trigger event
            this.emit('redraw-pre');

            // set cursor to start of line
            this.terminal.cursorTo(0, null);

            // write output
            this.terminal.write(s);

            // clear to the right from cursor
            this.terminal.clearRight();

            // store string
            this.lastDrawnString = s;

            // set last redraw time
            this.lastRedraw = Date.now();

            // trigger event
            this.emit('redraw-post');
        }
    }

    // start the progress bar
    start(total, startValue, payload){
        // set initial values
        this.value = startValue || 0;
        this.total = (typeof total !== 'undefined' && total >= 0) ? total : 100;

        // set start value for progress calculation
        this.startValue = (startValue || 0);

        // store payload (optional)
        this.payload = payload || {};

        // store start time for duration+eta calculation
        this.startTime = Date.now();

        // reset stop time for 're-start' scenario (used for duration calculation)
        this.stopTime = null;

        // reset string line buffer (redraw detection)
        this.lastDrawnString = '';

        // initialize eta buffer
        this.eta = new _ETA(this.options.etaBufferLength, this.startTime, this.value);

        // set flag
        this.isActive = true;

        // start event
        this.emit('start', total, startValue);
    }

    // stop the bar
    stop(){
        // set flag
        this.isActive = false;
        
        // store stop timestamp to get total duration
        this.stopTime = Date.now();

        // stop event
        this.emit('stop', this.total, this.value);
    }

    // update the bar value
    // update(value, payload)
    // update(payload)
    update(arg0, arg1 = {}){
        // value set ?
        // update(value, [payload]);
        if (typeof arg0 === 'number') {
            // update value
            this.value = arg0;

            // add new value; recalculate eta
            this.eta.update(Date.now(), arg0, this.total);
        }

        // extract payload
        // update(value, payload)
        // update(payload)
        const payloadData = ((typeof arg0 === 'object') ? arg0 : arg1) || {};

        // update event (before stop() is called)
        this.emit('update', this.total, this.value);

        // merge payload
        for (const key in payloadData){
            this.payload[key] = payloadData[key];
        }

        // limit reached ? autostop set ?
        if (this.value >= this.getTotal() && this.options.stopOnComplete) {
            this.stop();
        }
    }

    // calculate the actual progress value
    getProgress(){
        // calculate the normalized current progress
        let progress = (this.value/this.total);

        // use relative progress calculation ? range between startValue and total is then used as 100%
        // startValue (offset) is ignored for calculations
        if (this.options.progressCalculationRelative){
            progress = (this.value-this.startValue)/(this.total-this.startValue);
        }

        // handle NaN Errors caused by total=0. Set to complete in this case
        if (isNaN(progress)){
            progress = (this.options && this.options.emptyOnZero) ? 0.0 : 1.0;
        }

        // limiter
        progress = Math.min(Math.max(progress, 0.0), 1.0);

        return progress;
    }

    // update the bar value
    // increment(delta, payload)
    // increment(payload)
    increment(arg0 = 1, arg1 = {}){
        // increment([payload]) => step=1
        // handle the use case when `step` is omitted but payload is passed
        if (typeof arg0 === 'object') {
            this.update(this.value + 1, arg0);
        
        // increment([step=1], [payload={}])
        }else{
            this.update(this.value + arg0, arg1);
        }
    }

    // get the total (limit) value
    getTotal(){
        return this.total;
    }

    // set the total (limit) value
    setTotal(total){
        if (typeof total !== 'undefined' && total >= 0){
            this.total = total;
        }
    }

    // force eta calculation update (long running processes)
    updateETA(){
        // add new value; recalculate eta
        this.eta.update(Date.now(), this.value, this.total);
    }
}


/***/ }),

/***/ 9307:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

const _Terminal = __nccwpck_require__(7748);
const _BarElement = __nccwpck_require__(5123);
const _options = __nccwpck_require__(1596);
const _EventEmitter = __nccwpck_require__(4434);

// Progress-Bar constructor
module.exports = class MultiBar extends _EventEmitter{

    constructor(options, preset){
        super();

        // list of bars
        this.bars = [];

        // parse+store options
        this.options = _options.parse(options, preset);

        // disable synchronous updates
        this.options.synchronousUpdate = false;

        // store terminal instance
        this.terminal = (this.options.terminal) ? this.options.terminal : new _Terminal(this.options.stream);

        // the update timer
        this.timer = null;

        // progress bar active ?
        this.isActive = false;

        // update interval
        this.schedulingRate = (this.terminal.isTTY() ? this.options.throttleTime : this.options.notTTYSchedule);

        // logging output buffer
        this.loggingBuffer = [];

        // callback used for gracefulExit
        this.sigintCallback = null;
    }

    // add a new bar to the stack
    create(total, startValue, payload, barOptions={}){
        // create new bar element and merge global options + overrides
        // use the same global terminal instance for all instances
        const bar = new _BarElement(Object.assign(
            {}, 

            // global options
            this.options, 

            // terminal instance
            {
                terminal: this.terminal
            },

            // overrides
            barOptions,
        ));

        // store bar
        this.bars.push(bar);

        // progress updates are only visible in TTY mode!
        if (this.options.noTTYOutput === false && this.terminal.isTTY() === false){
            return bar;
        }

        // add handler to restore cursor settings (stop the bar) on SIGINT/SIGTERM ?
        if (this.sigintCallback === null && this.options.gracefulExit){
            this.sigintCallback = this.stop.bind(this);
            process.once('SIGINT', this.sigintCallback);
            process.once('SIGTERM', this.sigintCallback);
        }
        
        // multiprogress already active ?
        if (!this.isActive){
            // hide the cursor ?
            if (this.options.hideCursor === true){
                this.terminal.cursor(false);
            }

            // disable line wrapping ?
            if (this.options.linewrap === false){
                this.terminal.lineWrapping(false);
            }
    
            // initialize update timer
            this.timer = setTimeout(this.update.bind(this), this.schedulingRate);
        }

        // set flag
        this.isActive = true;

        // start progress bar
        bar.start(total, startValue, payload);

        // trigger event
        this.emit('start');

        // return new instance
        return bar;
    }

    // remove a bar from the stack
    remove(bar){
        // find element
        const index = this.bars.indexOf(bar);

        // element found ?
        if (index < 0){
            return false;
        }

        // remove element
        this.bars.splice(index, 1);

        // force update
        this.update();

        // clear bottom
        this.terminal.newline();
        this.terminal.clearBottom();

        return true;
    }

    // internal update routine
    update(){
        // stop timer
        if (this.timer){
            clearTimeout(this.timer);
            this.timer = null;
        }

        // trigger event
        this.emit('update-pre');
        
        // reset cursor
        this.terminal.cursorRelativeReset();

        // trigger event
        this.emit('redraw-pre');

        // content within logging buffer ?
        if (this.loggingBuffer.length > 0){
            this.terminal.clearLine();

            // flush logging buffer and write content to terminal
            while (this.loggingBuffer.length > 0){
                this.terminal.write(this.loggingBuffer.shift(), true);
            }
        }

        // update each bar
        for (let i=0; i< this.bars.length; i++){
            // add new line ?
            if (i > 0){
                this.terminal.newline();
            }

            // render
            this.bars[i].render();
        }

        // trigger event
        this.emit('redraw-post');

        // add new line in notty mode!
        if (this.options.noTTYOutput && this.terminal.isTTY() === false){
            this.terminal.newline();
            this.terminal.newline();
        }

        // next update
        this.timer = setTimeout(this.update.bind(this), this.schedulingRate);

        // trigger event
        this.emit('update-post');

        // stop if stopOnComplete and all bars stopped
        if (this.options.stopOnComplete && !this.bars.find(bar => bar.isActive)) {
            this.stop();
        }
    }

    stop(){

        // stop timer
        clearTimeout(this.timer);
        this.timer = null;

        // remove sigint listener
        if (this.sigintCallback){
            process.removeListener('SIGINT', this.sigintCallback);
            process.removeListener('SIGTERM', this.sigintCallback);
            this.sigintCallback = null;
        }

        // set flag
        this.isActive = false;

        // cursor hidden ?
        if (this.options.hideCursor === true){
            this.terminal.cursor(true);
        }

        // re-enable line wrpaping ?
        if (this.options.linewrap === false){
            this.terminal.lineWrapping(true);
        }

        // reset cursor
        this.terminal.cursorRelativeReset();

        // trigger event
        this.emit('stop-pre-clear');

        // clear line on complete ?
        if (this.options.clearOnComplete){
            // clear all bars
            this.terminal.clearBottom();
            
        // or show final progress ?
        }else{
            // update each bar
            for (let i=0; i< this.bars.length; i++){
                // add new line ?
                if (i > 0){
                    this.terminal.newline();
                }

                // trigger final rendering
                this.bars[i].render();

                // stop
                this.bars[i].stop();
            }

            // new line on complete
            this.terminal.newline();
        }

        // trigger event
        this.emit('stop');
    }

    log(s){
        // push content into logging buffer
        this.loggingBuffer.push(s);
    }
}


/***/ }),

/***/ 1596:
/***/ ((module) => {

// utility to merge defaults
function mergeOption(v, defaultValue){
    if (typeof v === 'undefined' || v === null){
        return defaultValue;
    }else{
        return v;
    }
}

module.exports = {
    // set global options
    parse: function parse(rawOptions, preset){

        // options storage
        const options = {};

        // merge preset
        const opt = Object.assign({}, preset, rawOptions);

        // the max update rate in fps (redraw will only triggered on value change)
        options.throttleTime = 1000 / (mergeOption(opt.fps, 10));

        // the output stream to write on
        options.stream = mergeOption(opt.stream, process.stderr);

        // external terminal provided ?
        options.terminal = mergeOption(opt.terminal, null);

        // clear on finish ?
        options.clearOnComplete = mergeOption(opt.clearOnComplete, false);

        // stop on finish ?
        options.stopOnComplete = mergeOption(opt.stopOnComplete, false);

        // size of the progressbar in chars
        options.barsize = mergeOption(opt.barsize, 40);

        // position of the progress bar - 'left' (default), 'right' or 'center'
        options.align = mergeOption(opt.align, 'left');

        // hide the cursor ?
        options.hideCursor = mergeOption(opt.hideCursor, false);

        // disable linewrapping ?
        options.linewrap = mergeOption(opt.linewrap, false);

        // glue sequence (control chars) between bar elements ?
        options.barGlue = mergeOption(opt.barGlue, '');

        // bar chars
        options.barCompleteChar = mergeOption(opt.barCompleteChar, '=');
        options.barIncompleteChar = mergeOption(opt.barIncompleteChar, '-');

        // the bar format
        options.format = mergeOption(opt.format, 'progress [{bar}] {percentage}% | ETA: {eta}s | {value}/{total}');

        // external time-format provided ?
        options.formatTime = mergeOption(opt.formatTime, null);

        // external value-format provided ?
        options.formatValue = mergeOption(opt.formatValue, null);

        // external bar-format provided ?
        options.formatBar = mergeOption(opt.formatBar, null);

        // the number of results to average ETA over
        options.etaBufferLength = mergeOption(opt.etaBuffer, 10);

        // automatic eta updates based on fps
        options.etaAsynchronousUpdate = mergeOption(opt.etaAsynchronousUpdate, false);

        // progress calculation relative to start value ? default start at 0
        options.progressCalculationRelative = mergeOption(opt.progressCalculationRelative, false);

        // allow synchronous updates ?
        options.synchronousUpdate = mergeOption(opt.synchronousUpdate, true);

        // notty mode
        options.noTTYOutput = mergeOption(opt.noTTYOutput, false);

        // schedule - 2s
        options.notTTYSchedule = mergeOption(opt.notTTYSchedule, 2000);
        
        // emptyOnZero - false
        options.emptyOnZero = mergeOption(opt.emptyOnZero, false);

        // force bar redraw even if progress did not change
        options.forceRedraw = mergeOption(opt.forceRedraw, false);

        // automated padding to fixed width ?
        options.autopadding = mergeOption(opt.autopadding, false);

        // stop bar on SIGINT/SIGTERM to restore cursor settings ?
        options.gracefulExit = mergeOption(opt.gracefulExit, false);

        return options;
    },

    // derived options: instance specific, has to be created for every bar element
    assignDerivedOptions: function assignDerivedOptions(options){
        // pre-render bar strings (performance)
        options.barCompleteString = options.barCompleteChar.repeat(options.barsize + 1);
        options.barIncompleteString = options.barIncompleteChar.repeat(options.barsize + 1);

        // autopadding character - empty in case autopadding is disabled
        options.autopaddingChar = options.autopadding ? mergeOption(options.autopaddingChar, '   ') : '';

        return options;
    }
};

/***/ }),

/***/ 2176:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

const _GenericBar = __nccwpck_require__(5123);
const _options = __nccwpck_require__(1596);

// Progress-Bar constructor
module.exports = class SingleBar extends _GenericBar{

    constructor(options, preset){
        super(_options.parse(options, preset));

        // the update timer
        this.timer = null;

        // disable synchronous updates in notty mode
        if (this.options.noTTYOutput && this.terminal.isTTY() === false){
            this.options.synchronousUpdate = false;
        }

        // update interval
        this.schedulingRate = (this.terminal.isTTY() ? this.options.throttleTime : this.options.notTTYSchedule);

        // callback used for gracefulExit
        this.sigintCallback = null;
    }

    // internal render function
    render(){
        // stop timer
        if (this.timer){
            clearTimeout(this.timer);
            this.timer = null;
        }

        // run internal rendering
        super.render();

        // add new line in notty mode!
        if (this.options.noTTYOutput && this.terminal.isTTY() === false){
            this.terminal.newline();
        }

        // next update
        this.timer = setTimeout(this.render.bind(this), this.schedulingRate);
    }

    update(current, payload){
        // timer inactive ?
        if (!this.timer) {
            return;
        }

        super.update(current, payload);

        // trigger synchronous update ?
        // check for throttle time 
        if (this.options.synchronousUpdate && (this.lastRedraw + this.options.throttleTime*2) < Date.now()){
            // force update
            this.render();
        }
    }

    // start the progress bar
    start(total, startValue, payload){
        // progress updates are only visible in TTY mode!
        if (this.options.noTTYOutput === false && this.terminal.isTTY() === false){
            return;
        }

        // add handler to restore cursor settings (stop the bar) on SIGINT/SIGTERM ?
        if (this.sigintCallback === null && this.options.gracefulExit){
            this.sigintCallback = this.stop.bind(this);
            process.once('SIGINT', this.sigintCallback);
            process.once('SIGTERM', this.sigintCallback);
        }

        // save current cursor settings
        this.terminal.cursorSave();

        // hide the cursor ?
        if (this.options.hideCursor === true){
            this.terminal.cursor(false);
        }

        // disable line wrapping ?
        if (this.options.linewrap === false){
            this.terminal.lineWrapping(false);
        }

        // initialize bar
        super.start(total, startValue, payload);

        // redraw on start!
        this.render();
    }

    // stop the bar
    stop(){
        // timer inactive ?
        if (!this.timer) {
            return;
        }
        
        // remove sigint listener
        if (this.sigintCallback){
            process.removeListener('SIGINT', this.sigintCallback);
            process.removeListener('SIGTERM', this.sigintCallback);
            this.sigintCallback = null;
        }

        // trigger final rendering
        this.render();

        // restore state
        super.stop();

        // stop timer
        clearTimeout(this.timer);
        this.timer = null;

        // cursor hidden ?
        if (this.options.hideCursor === true){
            this.terminal.cursor(true);
        }

        // re-enable line wrapping ?
        if (this.options.linewrap === false){
            this.terminal.lineWrapping(true);
        }

        // restore cursor on complete (position + settings)
        this.terminal.cursorRestore();

        // clear line on complete ?
        if (this.options.clearOnComplete){
            this.terminal.cursorTo(0, null);
            this.terminal.clearLine();
        }else{
            // new line on complete
            this.terminal.newline();
        }
    }
}

/***/ }),

/***/ 7748:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

const _readline = __nccwpck_require__(3785);

// low-level terminal interactions
class Terminal{

    constructor(outputStream){
        this.stream = outputStream;

        // default: line wrapping enabled
        this.linewrap = true;

        // current, relative y position
        this.dy = 0;
    }

    // save cursor position + settings
    cursorSave(){
        if (!this.stream.isTTY){
            return;
        }

        // save position
        this.stream.write('\x1B7');
    }

    // restore last cursor position + settings
    cursorRestore(){
        if (!this.stream.isTTY){
            return;
        }

        // restore cursor
        this.stream.write('\x1B8');
    }

    // show/hide cursor
    cursor(enabled){
        if (!this.stream.isTTY){
            return;
        }

        if (enabled){
            this.stream.write('\x1B[?25h');
        }else{
            this.stream.write('\x1B[?25l');
        }
    }

    // change cursor positionn
    cursorTo(x=null, y=null){
        if (!this.stream.isTTY){
            return;
        }

        // move cursor absolute
        _readline.cursorTo(this.stream, x, y);
    }

    // change relative cursor position
    cursorRelative(dx=null, dy=null){
        if (!this.stream.isTTY){
            return;
        }

        // store current position
        this.dy = this.dy + dy;
        
        // move cursor relative
        _readline.moveCursor(this.stream, dx, dy);
    }

    // relative reset
    cursorRelativeReset(){
        if (!this.stream.isTTY){
            return;
        }

        // move cursor to initial line
        _readline.moveCursor(this.stream, 0, -this.dy);

        // first char
        _readline.cursorTo(this.stream, 0, null);

        // reset counter
        this.dy = 0;
    }

    // clear to the right from cursor
    clearRight(){
        if (!this.stream.isTTY){
            return;
        }

        _readline.clearLine(this.stream, 1);
    }

    // clear the full line
    clearLine(){
        if (!this.stream.isTTY){
            return;
        }

        _readline.clearLine(this.stream, 0);
    }

    // clear everyting beyond the current line
    clearBottom(){
        if (!this.stream.isTTY){
            return;
        }

        _readline.clearScreenDown(this.stream);
    }

    // add new line; increment counter
    newline(){
        this.stream.write('\n');
        this.dy++;
    }

    // write content to output stream
    // @TODO use string-width to strip length
    write(s, rawWrite=false){
        // line wrapping enabled ? trim output
        // this is just a fallback mechanism in case user enabled line-wrapping via options or set it to auto
        if (this.linewrap === true && rawWrite === false){
            this.stream.write(s.substr(0, this.getWidth()));

        // standard behaviour with disabled linewrapping
        }else{
            this.stream.write(s);
        }
    }

    // control line wrapping
    lineWrapping(enabled){
        if (!this.stream.isTTY){
            return;
        }

        // store state
        this.linewrap = enabled;
        if (enabled){
            this.stream.write('\x1B[?7h');
        }else{
            this.stream.write('\x1B[?7l');
        }
    }

    // tty environment ?
    isTTY(){
        return (this.stream.isTTY === true);
    }

    // get terminal width
    getWidth(){
        // set max width to 80 in tty-mode and 200 in notty-mode
        return this.stream.columns || (this.stream.isTTY ? 80 : 200);
    }
}

module.exports = Terminal;


/***/ }),

/***/ 1921:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

const _legacy = __nccwpck_require__(4874);
const _shades_classic = __nccwpck_require__(8170);
const _shades_grey = __nccwpck_require__(3351);
const _rect = __nccwpck_require__(8879);

module.exports = {
    legacy: _legacy,
    shades_classic: _shades_classic,
    shades_grey: _shades_grey,
    rect: _rect
};

/***/ }),

/***/ 4874:
/***/ ((module) => {

// cli-progress legacy style as of 1.x
module.exports = {
    format: 'progress [{bar}] {percentage}% | ETA: {eta}s | {value}/{total}',
    barCompleteChar: '=',
    barIncompleteChar: '-'
};

/***/ }),

/***/ 8879:
/***/ ((module) => {

module.exports = {
    format: ' {bar}\u25A0 {percentage}% | ETA: {eta}s | {value}/{total}',
    barCompleteChar: '\u25A0',
    barIncompleteChar: ' '
};

/***/ }),

/***/ 8170:
/***/ ((module) => {

// cli-progress legacy style as of 1.x
module.exports = {
    format: ' {bar} {percentage}% | ETA: {eta}s | {value}/{total}',
    barCompleteChar: '\u2588',
    barIncompleteChar: '\u2591'
};

/***/ }),

/***/ 3351:
/***/ ((module) => {


// cli-progress legacy style as of 1.x
module.exports = {
    format: ' \u001b[90m{bar}\u001b[0m {percentage}% | ETA: {eta}s | {value}/{total}',
    barCompleteChar: '\u2588',
    barIncompleteChar: '\u2591'
};

/***/ }),

/***/ 6110:
/***/ ((module, exports, __nccwpck_require__) => {

/* eslint-env browser */

/**
 * This is the web browser implementation of `debug()`.
 */

exports.formatArgs = formatArgs;
exports.save = save;
exports.load = load;
exports.useColors = useColors;
exports.storage = localstorage();
exports.destroy = (() => {
	let warned = false;

	return () => {
		if (!warned) {
			warned = true;
			console.warn('Instance method `debug.destroy()` is deprecated and no longer does anything. It will be removed in the next major version of `debug`.');
		}
	};
})();

/**
 * Colors.
 */

exports.colors = [
	'#0000CC',
	'#0000FF',
	'#0033CC',
	'#0033FF',
	'#0066CC',
	'#0066FF',
	'#0099CC',
	'#0099FF',
	'#00CC00',
	'#00CC33',
	'#00CC66',
	'#00CC99',
	'#00CCCC',
	'#00CCFF',
	'#3300CC',
	'#3300FF',
	'#3333CC',
	'#3333FF',
	'#3366CC',
	'#3366FF',
	'#3399CC',
	'#3399FF',
	'#33CC00',
	'#33CC33',
	'#33CC66',
	'#33CC99',
	'#33CCCC',
	'#33CCFF',
	'#6600CC',
	'#6600FF',
	'#6633CC',
	'#6633FF',
	'#66CC00',
	'#66CC33',
	'#9900CC',
	'#9900FF',
	'#9933CC',
	'#9933FF',
	'#99CC00',
	'#99CC33',
	'#CC0000',
	'#CC0033',
	'#CC0066',
	'#CC0099',
	'#CC00CC',
	'#CC00FF',
	'#CC3300',
	'#CC3333',
	'#CC3366',
	'#CC3399',
	'#CC33CC',
	'#CC33FF',
	'#CC6600',
	'#CC6633',
	'#CC9900',
	'#CC9933',
	'#CCCC00',
	'#CCCC33',
	'#FF0000',
	'#FF0033',
	'#FF0066',
	'#FF0099',
	'#FF00CC',
	'#FF00FF',
	'#FF3300',
	'#FF3333',
	'#FF3366',
	'#FF3399',
	'#FF33CC',
	'#FF33FF',
	'#FF6600',
	'#FF6633',
	'#FF9900',
	'#FF9933',
	'#FFCC00',
	'#FFCC33'
];

/**
 * Currently only WebKit-based Web Inspectors, Firefox >= v31,
 * and the Firebug extension (any Firefox version) are known
 * to support "%c" CSS customizations.
 *
 * TODO: add a `localStorage` variable to explicitly enable/disable colors
 */

// eslint-disable-next-line complexity
function useColors() {
	// NB: In an Electron preload script, document will be defined but not fully
	// initialized. Since we know we're in Chrome, we'll just detect this case
	// explicitly
	if (typeof window !== 'undefined' && window.process && (window.process.type === 'renderer' || window.process.__nwjs)) {
		return true;
	}

	// Internet Explorer and Edge do not support colors.
	if (typeof navigator !== 'undefined' && navigator.userAgent && navigator.userAgent.toLowerCase().match(/(edge|trident)\/(\d+)/)) {
		return false;
	}

	let m;

	// Is webkit? http://stackoverflow.com/a/16459606/376773
	// document is undefined in react-native: https://github.com/facebook/react-native/pull/1632
	// eslint-disable-next-line no-return-assign
	return (typeof document !== 'undefined' && document.documentElement && document.documentElement.style && document.documentElement.style.WebkitAppearance) ||
		// Is firebug? http://stackoverflow.com/a/398120/376773
		(typeof window !== 'undefined' && window.console && (window.console.firebug || (window.console.exception && window.console.table))) ||
		// Is firefox >= v31?
		// https://developer.mozilla.org/en-US/docs/Tools/Web_Console#Styling_messages
		(typeof navigator !== 'undefined' && navigator.userAgent && (m = navigator.userAgent.toLowerCase().match(/firefox\/(\d+)/)) && parseInt(m[1], 10) >= 31) ||
		// Double check webkit in userAgent just in case we are in a worker
		(typeof navigator !== 'undefined' && navigator.userAgent && navigator.userAgent.toLowerCase().match(/applewebkit\/(\d+)/));
}

/**
 * Colorize log arguments if enabled.
 *
 * @api public
 */

function formatArgs(args) {
	args[0] = (this.useColors ? '%c' : '') +
		this.namespace +
		(this.useColors ? ' %c' : ' ') +
		args[0] +
		(this.useColors ? '%c ' : ' ') +
		'+' + module.exports.humanize(this.diff);

	if (!this.useColors) {
		return;
	}

	const c = 'color: ' + this.color;
	args.splice(1, 0, c, 'color: inherit');

	// The final "%c" is somewhat tricky, because there could be other
	// arguments passed either before or after the %c, so we need to
	// figure out the correct index to insert the CSS into
	let index = 0;
	let lastC = 0;
	args[0].replace(/%[a-zA-Z%]/g, match => {
		if (match === '%%') {
			return;
		}
		index++;
		if (match === '%c') {
			// We only are interested in the *last* %c
			// (the user may have provided their own)
			lastC = index;
		}
	});

	args.splice(lastC, 0, c);
}

/**
 * Invokes `console.debug()` when available.
 * No-op when `console.debug` is not a "function".
 * If `console.debug` is not available, falls back
 * to `console.log`.
 *
 * @api public
 */
exports.log = console.debug || console.log || (() => {});

/**
 * Save `namespaces`.
 *
 * @param {String} namespaces
 * @api private
 */
function save(namespaces) {
	try {
		if (namespaces) {
			exports.storage.setItem('debug', namespaces);
		} else {
			exports.storage.removeItem('debug');
		}
	} catch (error) {
		// Swallow
		// XXX (@Qix-) should we be logging these?
	}
}

/**
 * Load `namespaces`.
 *
 * @return {String} returns the previously persisted debug modes
 * @api private
 */
function load() {
	let r;
	try {
		r = exports.storage.getItem('debug') || exports.storage.getItem('DEBUG') ;
	} catch (error) {
		// Swallow
		// XXX (@Qix-) should we be logging these?
	}

	// If debug isn't set in LS, and we're in Electron, try to load $DEBUG
	if (!r && typeof process !== 'undefined' && 'env' in process) {
		r = process.env.DEBUG;
	}

	return r;
}

/**
 * Localstorage attempts to return the localstorage.
 *
 * This is necessary because safari throws
 * when a user disables cookies/localstorage
 * and you attempt to access it.
 *
 * @return {LocalStorage}
 * @api private
 */

function localstorage() {
	try {
		// TVMLKit (Apple TV JS Runtime) does not have a window object, just localStorage in the global context
		// The Browser also has localStorage in the global context.
		return localStorage;
	} catch (error) {
		// Swallow
		// XXX (@Qix-) should we be logging these?
	}
}

module.exports = __nccwpck_require__(897)(exports);

const {formatters} = module.exports;

/**
 * Map %j to `JSON.stringify()`, since no Web Inspectors do that by default.
 */

formatters.j = function (v) {
	try {
		return JSON.stringify(v);
	} catch (error) {
		return '[UnexpectedJSONParseError]: ' + error.message;
	}
};


/***/ }),

/***/ 897:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {


/**
 * This is the common logic for both the Node.js and web browser
 * implementations of `debug()`.
 */

function setup(env) {
	createDebug.debug = createDebug;
	createDebug.default = createDebug;
	createDebug.coerce = coerce;
	createDebug.disable = disable;
	createDebug.enable = enable;
	createDebug.enabled = enabled;
	createDebug.humanize = __nccwpck_require__(744);
	createDebug.destroy = destroy;

	Object.keys(env).forEach(key => {
		createDebug[key] = env[key];
	});

	/**
	* The currently active debug mode names, and names to skip.
	*/

	createDebug.names = [];
	createDebug.skips = [];

	/**
	* Map of special "%n" handling functions, for the debug "format" argument.
	*
	* Valid key names are a single, lower or upper-case letter, i.e. "n" and "N".
	*/
	createDebug.formatters = {};

	/**
	* Selects a color for a debug namespace
	* @param {String} namespace The namespace string for the debug instance to be colored
	* @return {Number|String} An ANSI color code for the given namespace
	* @api private
	*/
	function selectColor(namespace) {
		let hash = 0;

		for (let i = 0; i < namespace.length; i++) {
			hash = ((hash << 5) - hash) + namespace.charCodeAt(i);
			hash |= 0; // Convert to 32bit integer
		}

		return createDebug.colors[Math.abs(hash) % createDebug.colors.length];
	}
	createDebug.selectColor = selectColor;

	/**
	* Create a debugger with the given `namespace`.
	*
	* @param {String} namespace
	* @return {Function}
	* @api public
	*/
	function createDebug(namespace) {
		let prevTime;
		let enableOverride = null;
		let namespacesCache;
		let enabledCache;

		function debug(...args) {
			// Disabled?
			if (!debug.enabled) {
				return;
			}

			const self = debug;

			// Set `diff` timestamp
			const curr = Number(new Date());
			const ms = curr - (prevTime || curr);
			self.diff = ms;
			self.prev = prevTime;
			self.curr = curr;
			prevTime = curr;

			args[0] = createDebug.coerce(args[0]);

			if (typeof args[0] !== 'string') {
				// Anything else let's inspect with %O
				args.unshift('%O');
			}

			// Apply any `formatters` transformations
			let index = 0;
			args[0] = args[0].replace(/%([a-zA-Z%])/g, (match, format) => {
				// If we encounter an escaped % then don't increase the array index
				if (match === '%%') {
					return '%';
				}
				index++;
				const formatter = createDebug.formatters[format];
				if (typeof formatter === 'function') {
					const val = args[index];
					match = formatter.call(self, val);

					// Now we need to remove `args[index]` since it's inlined in the `format`
					args.splice(index, 1);
					index--;
				}
				return match;
			});

			// Apply env-specific formatting (colors, etc.)
			createDebug.formatArgs.call(self, args);

			const logFn = self.log || createDebug.log;
			logFn.apply(self, args);
		}

		debug.namespace = namespace;
		debug.useColors = createDebug.useColors();
		debug.color = createDebug.selectColor(namespace);
		debug.extend = extend;
		debug.destroy = createDebug.destroy; // XXX Temporary. Will be removed in the next major release.

		Object.defineProperty(debug, 'enabled', {
			enumerable: true,
			configurable: false,
			get: () => {
				if (enableOverride !== null) {
					return enableOverride;
				}
				if (namespacesCache !== createDebug.namespaces) {
					namespacesCache = createDebug.namespaces;
					enabledCache = createDebug.enabled(namespace);
				}

				return enabledCache;
			},
			set: v => {
				enableOverride = v;
			}
		});

		// Env-specific initialization logic for debug instances
		if (typeof createDebug.init === 'function') {
			createDebug.init(debug);
		}

		return debug;
	}

	function extend(namespace, delimiter) {
		const newDebug = createDebug(this.namespace + (typeof delimiter === 'undefined' ? ':' : delimiter) + namespace);
		newDebug.log = this.log;
		return newDebug;
	}

	/**
	* Enables a debug mode by namespaces. This can include modes
	* separated by a colon and wildcards.
	*
	* @param {String} namespaces
	* @api public
	*/
	function enable(namespaces) {
		createDebug.save(namespaces);
		createDebug.namespaces = namespaces;

		createDebug.names = [];
		createDebug.skips = [];

		const split = (typeof namespaces === 'string' ? namespaces : '')
			.trim()
			.replace(/\s+/g, ',')
			.split(',')
			.filter(Boolean);

		for (const ns of split) {
			if (ns[0] === '-') {
				createDebug.skips.push(ns.slice(1));
			} else {
				createDebug.names.push(ns);
			}
		}
	}

	/**
	 * Checks if the given string matches a namespace template, honoring
	 * asterisks as wildcards.
	 *
	 * @param {String} search
	 * @param {String} template
	 * @return {Boolean}
	 */
	function matchesTemplate(search, template) {
		let searchIndex = 0;
		let templateIndex = 0;
		let starIndex = -1;
		let matchIndex = 0;

		while (searchIndex < search.length) {
			if (templateIndex < template.length && (template[templateIndex] === search[searchIndex] || template[templateIndex] === '*')) {
				// Match character or proceed with wildcard
				if (template[templateIndex] === '*') {
					starIndex = templateIndex;
					matchIndex = searchIndex;
					templateIndex++; // Skip the '*'
				} else {
					searchIndex++;
					templateIndex++;
				}
			} else if (starIndex !== -1) { // eslint-disable-line no-negated-condition
				// Backtrack to the last '*' and try to match more characters
				templateIndex = starIndex + 1;
				matchIndex++;
				searchIndex = matchIndex;
			} else {
				return false; // No match
			}
		}

		// Handle trailing '*' in template
		while (templateIndex < template.length && template[templateIndex] === '*') {
			templateIndex++;
		}

		return templateIndex === template.length;
	}

	/**
	* Disable debug output.
	*
	* @return {String} namespaces
	* @api public
	*/
	function disable() {
		const namespaces = [
			...createDebug.names,
			...createDebug.skips.map(namespace => '-' + namespace)
		].join(',');
		createDebug.enable('');
		return namespaces;
	}

	/**
	* Returns true if the given mode name is enabled, false otherwise.
	*
	* @param {String} name
	* @return {Boolean}
	* @api public
	*/
	function enabled(name) {
		for (const skip of createDebug.skips) {
			if (matchesTemplate(name, skip)) {
				return false;
			}
		}

		for (const ns of createDebug.names) {
			if (matchesTemplate(name, ns)) {
				return true;
			}
		}

		return false;
	}

	/**
	* Coerce `val`.
	*
	* @param {Mixed} val
	* @return {Mixed}
	* @api private
	*/
	function coerce(val) {
		if (val instanceof Error) {
			return val.stack || val.message;
		}
		return val;
	}

	/**
	* XXX DO NOT USE. This is a temporary stub function.
	* XXX It WILL be removed in the next major release.
	*/
	function destroy() {
		console.warn('Instance method `debug.destroy()` is deprecated and no longer does anything. It will be removed in the next major version of `debug`.');
	}

	createDebug.enable(createDebug.load());

	return createDebug;
}

module.exports = setup;


/***/ }),

/***/ 2830:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

/**
 * Detect Electron renderer / nwjs process, which is node, but we should
 * treat as a browser.
 */

if (typeof process === 'undefined' || process.type === 'renderer' || process.browser === true || process.__nwjs) {
	module.exports = __nccwpck_require__(6110);
} else {
	module.exports = __nccwpck_require__(5108);
}


/***/ }),

/***/ 5108:
/***/ ((module, exports, __nccwpck_require__) => {

/**
 * Module dependencies.
 */

const tty = __nccwpck_require__(2018);
const util = __nccwpck_require__(9023);

/**
 * This is the Node.js implementation of `debug()`.
 */

exports.init = init;
exports.log = log;
exports.formatArgs = formatArgs;
exports.save = save;
exports.load = load;
exports.useColors = useColors;
exports.destroy = util.deprecate(
	() => {},
	'Instance method `debug.destroy()` is deprecated and no longer does anything. It will be removed in the next major version of `debug`.'
);

/**
 * Colors.
 */

exports.colors = [6, 2, 3, 4, 5, 1];

try {
	// Optional dependency (as in, doesn't need to be installed, NOT like optionalDependencies in package.json)
	// eslint-disable-next-line import/no-extraneous-dependencies
	const supportsColor = __nccwpck_require__(1450);

	if (supportsColor && (supportsColor.stderr || supportsColor).level >= 2) {
		exports.colors = [
			20,
			21,
			26,
			27,
			32,
			33,
			38,
			39,
			40,
			41,
			42,
			43,
			44,
			45,
			56,
			57,
			62,
			63,
			68,
			69,
			74,
			75,
			76,
			77,
			78,
			79,
			80,
			81,
			92,
			93,
			98,
			99,
			112,
			113,
			128,
			129,
			134,
			135,
			148,
			149,
			160,
			161,
			162,
			163,
			164,
			165,
			166,
			167,
			168,
			169,
			170,
			171,
			172,
			173,
			178,
			179,
			184,
			185,
			196,
			197,
			198,
			199,
			200,
			201,
			202,
			203,
			204,
			205,
			206,
			207,
			208,
			209,
			214,
			215,
			220,
			221
		];
	}
} catch (error) {
	// Swallow - we only care if `supports-color` is available; it doesn't have to be.
}

/**
 * Build up the default `inspectOpts` object from the environment variables.
 *
 *   $ DEBUG_COLORS=no DEBUG_DEPTH=10 DEBUG_SHOW_HIDDEN=enabled node script.js
 */

exports.inspectOpts = Object.keys(process.env).filter(key => {
	return /^debug_/i.test(key);
}).reduce((obj, key) => {
	// Camel-case
	const prop = key
		.substring(6)
		.toLowerCase()
		.replace(/_([a-z])/g, (_, k) => {
			return k.toUpperCase();
		});

	// Coerce string value into JS value
	let val = process.env[key];
	if (/^(yes|on|true|enabled)$/i.test(val)) {
		val = true;
	} else if (/^(no|off|false|disabled)$/i.test(val)) {
		val = false;
	} else if (val === 'null') {
		val = null;
	} else {
		val = Number(val);
	}

	obj[prop] = val;
	return obj;
}, {});

/**
 * Is stdout a TTY? Colored output is enabled when `true`.
 */

function useColors() {
	return 'colors' in exports.inspectOpts ?
		Boolean(exports.inspectOpts.colors) :
		tty.isatty(process.stderr.fd);
}

/**
 * Adds ANSI color escape codes if enabled.
 *
 * @api public
 */

function formatArgs(args) {
	const {namespace: name, useColors} = this;

	if (useColors) {
		const c = this.color;
		const colorCode = '\u001B[3' + (c < 8 ? c : '8;5;' + c);
		const prefix = `  ${colorCode};1m${name} \u001B[0m`;

		args[0] = prefix + args[0].split('\n').join('\n' + prefix);
		args.push(colorCode + 'm+' + module.exports.humanize(this.diff) + '\u001B[0m');
	} else {
		args[0] = getDate() + name + ' ' + args[0];
	}
}

function getDate() {
	if (exports.inspectOpts.hideDate) {
		return '';
	}
	return new Date().toISOString() + ' ';
}

/**
 * Invokes `util.formatWithOptions()` with the specified arguments and writes to stderr.
 */

function log(...args) {
	return process.stderr.write(util.formatWithOptions(exports.inspectOpts, ...args) + '\n');
}

/**
 * Save `namespaces`.
 *
 * @param {String} namespaces
 * @api private
 */
function save(namespaces) {
	if (namespaces) {
		process.env.DEBUG = namespaces;
	} else {
		// If you set a process.env field to null or undefined, it gets cast to the
		// string 'null' or 'undefined'. Just delete instead.
		delete process.env.DEBUG;
	}
}

/**
 * Load `namespaces`.
 *
 * @return {String} returns the previously persisted debug modes
 * @api private
 */

function load() {
	return process.env.DEBUG;
}

/**
 * Init logic for `debug` instances.
 *
 * Create a new `inspectOpts` object in case `useColors` is set
 * differently for a particular `debug` instance.
 */

function init(debug) {
	debug.inspectOpts = {};

	const keys = Object.keys(exports.inspectOpts);
	for (let i = 0; i < keys.length; i++) {
		debug.inspectOpts[keys[i]] = exports.inspectOpts[keys[i]];
	}
}

module.exports = __nccwpck_require__(897)(exports);

const {formatters} = module.exports;

/**
 * Map %o to `util.inspect()`, all on a single line.
 */

formatters.o = function (v) {
	this.inspectOpts.colors = this.useColors;
	return util.inspect(v, this.inspectOpts)
		.split('\n')
		.map(str => str.trim())
		.join(' ');
};

/**
 * Map %O to `util.inspect()`, allowing multiple lines if needed.
 */

formatters.O = function (v) {
	this.inspectOpts.colors = this.useColors;
	return util.inspect(v, this.inspectOpts);
};


/***/ }),

/***/ 872:
/***/ ((module) => {



module.exports = function () {
  // https://mths.be/emoji
  return /\uD83C\uDFF4\uDB40\uDC67\uDB40\uDC62(?:\uDB40\uDC65\uDB40\uDC6E\uDB40\uDC67|\uDB40\uDC73\uDB40\uDC63\uDB40\uDC74|\uDB40\uDC77\uDB40\uDC6C\uDB40\uDC73)\uDB40\uDC7F|\uD83D\uDC68(?:\uD83C\uDFFC\u200D(?:\uD83E\uDD1D\u200D\uD83D\uDC68\uD83C\uDFFB|\uD83C[\uDF3E\uDF73\uDF93\uDFA4\uDFA8\uDFEB\uDFED]|\uD83D[\uDCBB\uDCBC\uDD27\uDD2C\uDE80\uDE92]|\uD83E[\uDDAF-\uDDB3\uDDBC\uDDBD])|\uD83C\uDFFF\u200D(?:\uD83E\uDD1D\u200D\uD83D\uDC68(?:\uD83C[\uDFFB-\uDFFE])|\uD83C[\uDF3E\uDF73\uDF93\uDFA4\uDFA8\uDFEB\uDFED]|\uD83D[\uDCBB\uDCBC\uDD27\uDD2C\uDE80\uDE92]|\uD83E[\uDDAF-\uDDB3\uDDBC\uDDBD])|\uD83C\uDFFE\u200D(?:\uD83E\uDD1D\u200D\uD83D\uDC68(?:\uD83C[\uDFFB-\uDFFD])|\uD83C[\uDF3E\uDF73\uDF93\uDFA4\uDFA8\uDFEB\uDFED]|\uD83D[\uDCBB\uDCBC\uDD27\uDD2C\uDE80\uDE92]|\uD83E[\uDDAF-\uDDB3\uDDBC\uDDBD])|\uD83C\uDFFD\u200D(?:\uD83E\uDD1D\u200D\uD83D\uDC68(?:\uD83C[\uDFFB\uDFFC])|\uD83C[\uDF3E\uDF73\uDF93\uDFA4\uDFA8\uDFEB\uDFED]|\uD83D[\uDCBB\uDCBC\uDD27\uDD2C\uDE80\uDE92]|\uD83E[\uDDAF-\uDDB3\uDDBC\uDDBD])|\u200D(?:\u2764\uFE0F\u200D(?:\uD83D\uDC8B\u200D)?\uD83D\uDC68|(?:\uD83D[\uDC68\uDC69])\u200D(?:\uD83D\uDC66\u200D\uD83D\uDC66|\uD83D\uDC67\u200D(?:\uD83D[\uDC66\uDC67]))|\uD83D\uDC66\u200D\uD83D\uDC66|\uD83D\uDC67\u200D(?:\uD83D[\uDC66\uDC67])|(?:\uD83D[\uDC68\uDC69])\u200D(?:\uD83D[\uDC66\uDC67])|[\u2695\u2696\u2708]\uFE0F|\uD83D[\uDC66\uDC67]|\uD83C[\uDF3E\uDF73\uDF93\uDFA4\uDFA8\uDFEB\uDFED]|\uD83D[\uDCBB\uDCBC\uDD27\uDD2C\uDE80\uDE92]|\uD83E[\uDDAF-\uDDB3\uDDBC\uDDBD])|(?:\uD83C\uDFFB\u200D[\u2695\u2696\u2708]|\uD83C\uDFFF\u200D[\u2695\u2696\u2708]|\uD83C\uDFFE\u200D[\u2695\u2696\u2708]|\uD83C\uDFFD\u200D[\u2695\u2696\u2708]|\uD83C\uDFFC\u200D[\u2695\u2696\u2708])\uFE0F|\uD83C\uDFFB\u200D(?:\uD83C[\uDF3E\uDF73\uDF93\uDFA4\uDFA8\uDFEB\uDFED]|\uD83D[\uDCBB\uDCBC\uDD27\uDD2C\uDE80\uDE92]|\uD83E[\uDDAF-\uDDB3\uDDBC\uDDBD])|\uD83C[\uDFFB-\uDFFF])|(?:\uD83E\uDDD1\uD83C\uDFFB\u200D\uD83E\uDD1D\u200D\uD83E\uDDD1|\uD83D\uDC69\uD83C\uDFFC\u200D\uD83E\uDD1D\u200D\uD83D\uDC69)\uD83C\uDFFB|\uD83E\uDDD1(?:\uD83C\uDFFF\u200D\uD83E\uDD1D\u200D\uD83E\uDDD1(?:\uD83C[\uDFFB-\uDFFF])|\u200D\uD83E\uDD1D\u200D\uD83E\uDDD1)|(?:\uD83E\uDDD1\uD83C\uDFFE\u200D\uD83E\uDD1D\u200D\uD83E\uDDD1|\uD83D\uDC69\uD83C\uDFFF\u200D\uD83E\uDD1D\u200D(?:\uD83D[\uDC68\uDC69]))(?:\uD83C[\uDFFB-\uDFFE])|(?:\uD83E\uDDD1\uD83C\uDFFC\u200D\uD83E\uDD1D\u200D\uD83E\uDDD1|\uD83D\uDC69\uD83C\uDFFD\u200D\uD83E\uDD1D\u200D\uD83D\uDC69)(?:\uD83C[\uDFFB\uDFFC])|\uD83D\uDC69(?:\uD83C\uDFFE\u200D(?:\uD83E\uDD1D\u200D\uD83D\uDC68(?:\uD83C[\uDFFB-\uDFFD\uDFFF])|\uD83C[\uDF3E\uDF73\uDF93\uDFA4\uDFA8\uDFEB\uDFED]|\uD83D[\uDCBB\uDCBC\uDD27\uDD2C\uDE80\uDE92]|\uD83E[\uDDAF-\uDDB3\uDDBC\uDDBD])|\uD83C\uDFFC\u200D(?:\uD83E\uDD1D\u200D\uD83D\uDC68(?:\uD83C[\uDFFB\uDFFD-\uDFFF])|\uD83C[\uDF3E\uDF73\uDF93\uDFA4\uDFA8\uDFEB\uDFED]|\uD83D[\uDCBB\uDCBC\uDD27\uDD2C\uDE80\uDE92]|\uD83E[\uDDAF-\uDDB3\uDDBC\uDDBD])|\uD83C\uDFFB\u200D(?:\uD83E\uDD1D\u200D\uD83D\uDC68(?:\uD83C[\uDFFC-\uDFFF])|\uD83C[\uDF3E\uDF73\uDF93\uDFA4\uDFA8\uDFEB\uDFED]|\uD83D[\uDCBB\uDCBC\uDD27\uDD2C\uDE80\uDE92]|\uD83E[\uDDAF-\uDDB3\uDDBC\uDDBD])|\uD83C\uDFFD\u200D(?:\uD83E\uDD1D\u200D\uD83D\uDC68(?:\uD83C[\uDFFB\uDFFC\uDFFE\uDFFF])|\uD83C[\uDF3E\uDF73\uDF93\uDFA4\uDFA8\uDFEB\uDFED]|\uD83D[\uDCBB\uDCBC\uDD27\uDD2C\uDE80\uDE92]|\uD83E[\uDDAF-\uDDB3\uDDBC\uDDBD])|\u200D(?:\u2764\uFE0F\u200D(?:\uD83D\uDC8B\u200D(?:\uD83D[\uDC68\uDC69])|\uD83D[\uDC68\uDC69])|\uD83C[\uDF3E\uDF73\uDF93\uDFA4\uDFA8\uDFEB\uDFED]|\uD83D[\uDCBB\uDCBC\uDD27\uDD2C\uDE80\uDE92]|\uD83E[\uDDAF-\uDDB3\uDDBC\uDDBD])|\uD83C\uDFFF\u200D(?:\uD83C[\uDF3E\uDF73\uDF93\uDFA4\uDFA8\uDFEB\uDFED]|\uD83D[\uDCBB\uDCBC\uDD27\uDD2C\uDE80\uDE92]|\uD83E[\uDDAF-\uDDB3\uDDBC\uDDBD]))|\uD83D\uDC69\u200D\uD83D\uDC69\u200D(?:\uD83D\uDC66\u200D\uD83D\uDC66|\uD83D\uDC67\u200D(?:\uD83D[\uDC66\uDC67]))|(?:\uD83E\uDDD1\uD83C\uDFFD\u200D\uD83E\uDD1D\u200D\uD83E\uDDD1|\uD83D\uDC69\uD83C\uDFFE\u200D\uD83E\uDD1D\u200D\uD83D\uDC69)(?:\uD83C[\uDFFB-\uDFFD])|\uD83D\uDC69\u200D\uD83D\uDC66\u200D\uD83D\uDC66|\uD83D\uDC69\u200D\uD83D\uDC69\u200D(?:\uD83D[\uDC66\uDC67])|(?:\uD83D\uDC41\uFE0F\u200D\uD83D\uDDE8|\uD83D\uDC69(?:\uD83C\uDFFF\u200D[\u2695\u2696\u2708]|\uD83C\uDFFE\u200D[\u2695\u2696\u2708]|\uD83C\uDFFC\u200D[\u2695\u2696\u2708]|\uD83C\uDFFB\u200D[\u2695\u2696\u2708]|\uD83C\uDFFD\u200D[\u2695\u2696\u2708]|\u200D[\u2695\u2696\u2708])|(?:(?:\u26F9|\uD83C[\uDFCB\uDFCC]|\uD83D\uDD75)\uFE0F|\uD83D\uDC6F|\uD83E[\uDD3C\uDDDE\uDDDF])\u200D[\u2640\u2642]|(?:\u26F9|\uD83C[\uDFCB\uDFCC]|\uD83D\uDD75)(?:\uD83C[\uDFFB-\uDFFF])\u200D[\u2640\u2642]|(?:\uD83C[\uDFC3\uDFC4\uDFCA]|\uD83D[\uDC6E\uDC71\uDC73\uDC77\uDC81\uDC82\uDC86\uDC87\uDE45-\uDE47\uDE4B\uDE4D\uDE4E\uDEA3\uDEB4-\uDEB6]|\uD83E[\uDD26\uDD37-\uDD39\uDD3D\uDD3E\uDDB8\uDDB9\uDDCD-\uDDCF\uDDD6-\uDDDD])(?:(?:\uD83C[\uDFFB-\uDFFF])\u200D[\u2640\u2642]|\u200D[\u2640\u2642])|\uD83C\uDFF4\u200D\u2620)\uFE0F|\uD83D\uDC69\u200D\uD83D\uDC67\u200D(?:\uD83D[\uDC66\uDC67])|\uD83C\uDFF3\uFE0F\u200D\uD83C\uDF08|\uD83D\uDC15\u200D\uD83E\uDDBA|\uD83D\uDC69\u200D\uD83D\uDC66|\uD83D\uDC69\u200D\uD83D\uDC67|\uD83C\uDDFD\uD83C\uDDF0|\uD83C\uDDF4\uD83C\uDDF2|\uD83C\uDDF6\uD83C\uDDE6|[#\*0-9]\uFE0F\u20E3|\uD83C\uDDE7(?:\uD83C[\uDDE6\uDDE7\uDDE9-\uDDEF\uDDF1-\uDDF4\uDDF6-\uDDF9\uDDFB\uDDFC\uDDFE\uDDFF])|\uD83C\uDDF9(?:\uD83C[\uDDE6\uDDE8\uDDE9\uDDEB-\uDDED\uDDEF-\uDDF4\uDDF7\uDDF9\uDDFB\uDDFC\uDDFF])|\uD83C\uDDEA(?:\uD83C[\uDDE6\uDDE8\uDDEA\uDDEC\uDDED\uDDF7-\uDDFA])|\uD83E\uDDD1(?:\uD83C[\uDFFB-\uDFFF])|\uD83C\uDDF7(?:\uD83C[\uDDEA\uDDF4\uDDF8\uDDFA\uDDFC])|\uD83D\uDC69(?:\uD83C[\uDFFB-\uDFFF])|\uD83C\uDDF2(?:\uD83C[\uDDE6\uDDE8-\uDDED\uDDF0-\uDDFF])|\uD83C\uDDE6(?:\uD83C[\uDDE8-\uDDEC\uDDEE\uDDF1\uDDF2\uDDF4\uDDF6-\uDDFA\uDDFC\uDDFD\uDDFF])|\uD83C\uDDF0(?:\uD83C[\uDDEA\uDDEC-\uDDEE\uDDF2\uDDF3\uDDF5\uDDF7\uDDFC\uDDFE\uDDFF])|\uD83C\uDDED(?:\uD83C[\uDDF0\uDDF2\uDDF3\uDDF7\uDDF9\uDDFA])|\uD83C\uDDE9(?:\uD83C[\uDDEA\uDDEC\uDDEF\uDDF0\uDDF2\uDDF4\uDDFF])|\uD83C\uDDFE(?:\uD83C[\uDDEA\uDDF9])|\uD83C\uDDEC(?:\uD83C[\uDDE6\uDDE7\uDDE9-\uDDEE\uDDF1-\uDDF3\uDDF5-\uDDFA\uDDFC\uDDFE])|\uD83C\uDDF8(?:\uD83C[\uDDE6-\uDDEA\uDDEC-\uDDF4\uDDF7-\uDDF9\uDDFB\uDDFD-\uDDFF])|\uD83C\uDDEB(?:\uD83C[\uDDEE-\uDDF0\uDDF2\uDDF4\uDDF7])|\uD83C\uDDF5(?:\uD83C[\uDDE6\uDDEA-\uDDED\uDDF0-\uDDF3\uDDF7-\uDDF9\uDDFC\uDDFE])|\uD83C\uDDFB(?:\uD83C[\uDDE6\uDDE8\uDDEA\uDDEC\uDDEE\uDDF3\uDDFA])|\uD83C\uDDF3(?:\uD83C[\uDDE6\uDDE8\uDDEA-\uDDEC\uDDEE\uDDF1\uDDF4\uDDF5\uDDF7\uDDFA\uDDFF])|\uD83C\uDDE8(?:\uD83C[\uDDE6\uDDE8\uDDE9\uDDEB-\uDDEE\uDDF0-\uDDF5\uDDF7\uDDFA-\uDDFF])|\uD83C\uDDF1(?:\uD83C[\uDDE6-\uDDE8\uDDEE\uDDF0\uDDF7-\uDDFB\uDDFE])|\uD83C\uDDFF(?:\uD83C[\uDDE6\uDDF2\uDDFC])|\uD83C\uDDFC(?:\uD83C[\uDDEB\uDDF8])|\uD83C\uDDFA(?:\uD83C[\uDDE6\uDDEC\uDDF2\uDDF3\uDDF8\uDDFE\uDDFF])|\uD83C\uDDEE(?:\uD83C[\uDDE8-\uDDEA\uDDF1-\uDDF4\uDDF6-\uDDF9])|\uD83C\uDDEF(?:\uD83C[\uDDEA\uDDF2\uDDF4\uDDF5])|(?:\uD83C[\uDFC3\uDFC4\uDFCA]|\uD83D[\uDC6E\uDC71\uDC73\uDC77\uDC81\uDC82\uDC86\uDC87\uDE45-\uDE47\uDE4B\uDE4D\uDE4E\uDEA3\uDEB4-\uDEB6]|\uD83E[\uDD26\uDD37-\uDD39\uDD3D\uDD3E\uDDB8\uDDB9\uDDCD-\uDDCF\uDDD6-\uDDDD])(?:\uD83C[\uDFFB-\uDFFF])|(?:\u26F9|\uD83C[\uDFCB\uDFCC]|\uD83D\uDD75)(?:\uD83C[\uDFFB-\uDFFF])|(?:[\u261D\u270A-\u270D]|\uD83C[\uDF85\uDFC2\uDFC7]|\uD83D[\uDC42\uDC43\uDC46-\uDC50\uDC66\uDC67\uDC6B-\uDC6D\uDC70\uDC72\uDC74-\uDC76\uDC78\uDC7C\uDC83\uDC85\uDCAA\uDD74\uDD7A\uDD90\uDD95\uDD96\uDE4C\uDE4F\uDEC0\uDECC]|\uD83E[\uDD0F\uDD18-\uDD1C\uDD1E\uDD1F\uDD30-\uDD36\uDDB5\uDDB6\uDDBB\uDDD2-\uDDD5])(?:\uD83C[\uDFFB-\uDFFF])|(?:[\u231A\u231B\u23E9-\u23EC\u23F0\u23F3\u25FD\u25FE\u2614\u2615\u2648-\u2653\u267F\u2693\u26A1\u26AA\u26AB\u26BD\u26BE\u26C4\u26C5\u26CE\u26D4\u26EA\u26F2\u26F3\u26F5\u26FA\u26FD\u2705\u270A\u270B\u2728\u274C\u274E\u2753-\u2755\u2757\u2795-\u2797\u27B0\u27BF\u2B1B\u2B1C\u2B50\u2B55]|\uD83C[\uDC04\uDCCF\uDD8E\uDD91-\uDD9A\uDDE6-\uDDFF\uDE01\uDE1A\uDE2F\uDE32-\uDE36\uDE38-\uDE3A\uDE50\uDE51\uDF00-\uDF20\uDF2D-\uDF35\uDF37-\uDF7C\uDF7E-\uDF93\uDFA0-\uDFCA\uDFCF-\uDFD3\uDFE0-\uDFF0\uDFF4\uDFF8-\uDFFF]|\uD83D[\uDC00-\uDC3E\uDC40\uDC42-\uDCFC\uDCFF-\uDD3D\uDD4B-\uDD4E\uDD50-\uDD67\uDD7A\uDD95\uDD96\uDDA4\uDDFB-\uDE4F\uDE80-\uDEC5\uDECC\uDED0-\uDED2\uDED5\uDEEB\uDEEC\uDEF4-\uDEFA\uDFE0-\uDFEB]|\uD83E[\uDD0D-\uDD3A\uDD3C-\uDD45\uDD47-\uDD71\uDD73-\uDD76\uDD7A-\uDDA2\uDDA5-\uDDAA\uDDAE-\uDDCA\uDDCD-\uDDFF\uDE70-\uDE73\uDE78-\uDE7A\uDE80-\uDE82\uDE90-\uDE95])|(?:[#\*0-9\xA9\xAE\u203C\u2049\u2122\u2139\u2194-\u2199\u21A9\u21AA\u231A\u231B\u2328\u23CF\u23E9-\u23F3\u23F8-\u23FA\u24C2\u25AA\u25AB\u25B6\u25C0\u25FB-\u25FE\u2600-\u2604\u260E\u2611\u2614\u2615\u2618\u261D\u2620\u2622\u2623\u2626\u262A\u262E\u262F\u2638-\u263A\u2640\u2642\u2648-\u2653\u265F\u2660\u2663\u2665\u2666\u2668\u267B\u267E\u267F\u2692-\u2697\u2699\u269B\u269C\u26A0\u26A1\u26AA\u26AB\u26B0\u26B1\u26BD\u26BE\u26C4\u26C5\u26C8\u26CE\u26CF\u26D1\u26D3\u26D4\u26E9\u26EA\u26F0-\u26F5\u26F7-\u26FA\u26FD\u2702\u2705\u2708-\u270D\u270F\u2712\u2714\u2716\u271D\u2721\u2728\u2733\u2734\u2744\u2747\u274C\u274E\u2753-\u2755\u2757\u2763\u2764\u2795-\u2797\u27A1\u27B0\u27BF\u2934\u2935\u2B05-\u2B07\u2B1B\u2B1C\u2B50\u2B55\u3030\u303D\u3297\u3299]|\uD83C[\uDC04\uDCCF\uDD70\uDD71\uDD7E\uDD7F\uDD8E\uDD91-\uDD9A\uDDE6-\uDDFF\uDE01\uDE02\uDE1A\uDE2F\uDE32-\uDE3A\uDE50\uDE51\uDF00-\uDF21\uDF24-\uDF93\uDF96\uDF97\uDF99-\uDF9B\uDF9E-\uDFF0\uDFF3-\uDFF5\uDFF7-\uDFFF]|\uD83D[\uDC00-\uDCFD\uDCFF-\uDD3D\uDD49-\uDD4E\uDD50-\uDD67\uDD6F\uDD70\uDD73-\uDD7A\uDD87\uDD8A-\uDD8D\uDD90\uDD95\uDD96\uDDA4\uDDA5\uDDA8\uDDB1\uDDB2\uDDBC\uDDC2-\uDDC4\uDDD1-\uDDD3\uDDDC-\uDDDE\uDDE1\uDDE3\uDDE8\uDDEF\uDDF3\uDDFA-\uDE4F\uDE80-\uDEC5\uDECB-\uDED2\uDED5\uDEE0-\uDEE5\uDEE9\uDEEB\uDEEC\uDEF0\uDEF3-\uDEFA\uDFE0-\uDFEB]|\uD83E[\uDD0D-\uDD3A\uDD3C-\uDD45\uDD47-\uDD71\uDD73-\uDD76\uDD7A-\uDDA2\uDDA5-\uDDAA\uDDAE-\uDDCA\uDDCD-\uDDFF\uDE70-\uDE73\uDE78-\uDE7A\uDE80-\uDE82\uDE90-\uDE95])\uFE0F|(?:[\u261D\u26F9\u270A-\u270D]|\uD83C[\uDF85\uDFC2-\uDFC4\uDFC7\uDFCA-\uDFCC]|\uD83D[\uDC42\uDC43\uDC46-\uDC50\uDC66-\uDC78\uDC7C\uDC81-\uDC83\uDC85-\uDC87\uDC8F\uDC91\uDCAA\uDD74\uDD75\uDD7A\uDD90\uDD95\uDD96\uDE45-\uDE47\uDE4B-\uDE4F\uDEA3\uDEB4-\uDEB6\uDEC0\uDECC]|\uD83E[\uDD0F\uDD18-\uDD1F\uDD26\uDD30-\uDD39\uDD3C-\uDD3E\uDDB5\uDDB6\uDDB8\uDDB9\uDDBB\uDDCD-\uDDCF\uDDD1-\uDDDD])/g;
};


/***/ }),

/***/ 3813:
/***/ ((module) => {



module.exports = (flag, argv = process.argv) => {
	const prefix = flag.startsWith('-') ? '' : (flag.length === 1 ? '-' : '--');
	const position = argv.indexOf(prefix + flag);
	const terminatorPosition = argv.indexOf('--');
	return position !== -1 && (terminatorPosition === -1 || position < terminatorPosition);
};


/***/ }),

/***/ 1970:
/***/ (function(__unused_webpack_module, exports, __nccwpck_require__) {


var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || function (mod) {
    if (mod && mod.__esModule) return mod;
    var result = {};
    if (mod != null) for (var k in mod) if (k !== "default" && Object.prototype.hasOwnProperty.call(mod, k)) __createBinding(result, mod, k);
    __setModuleDefault(result, mod);
    return result;
};
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.HttpProxyAgent = void 0;
const net = __importStar(__nccwpck_require__(9278));
const tls = __importStar(__nccwpck_require__(4756));
const debug_1 = __importDefault(__nccwpck_require__(2830));
const events_1 = __nccwpck_require__(4434);
const agent_base_1 = __nccwpck_require__(737);
const url_1 = __nccwpck_require__(7016);
const debug = (0, debug_1.default)('http-proxy-agent');
/**
 * The `HttpProxyAgent` implements an HTTP Agent subclass that connects
 * to the specified "HTTP proxy server" in order to proxy HTTP requests.
 */
class HttpProxyAgent extends agent_base_1.Agent {
    constructor(proxy, opts) {
        super(opts);
        this.proxy = typeof proxy === 'string' ? new url_1.URL(proxy) : proxy;
        this.proxyHeaders = opts?.headers ?? {};
        debug('Creating new HttpProxyAgent instance: %o', this.proxy.href);
        // Trim off the brackets from IPv6 addresses
        const host = (this.proxy.hostname || this.proxy.host).replace(/^\[|\]$/g, '');
        const port = this.proxy.port
            ? parseInt(this.proxy.port, 10)
            : this.proxy.protocol === 'https:'
                ? 443
                : 80;
        this.connectOpts = {
            ...(opts ? omit(opts, 'headers') : null),
            host,
            port,
        };
    }
    addRequest(req, opts) {
        req._header = null;
        this.setRequestProps(req, opts);
        // @ts-expect-error `addRequest()` isn't defined in `@types/node`
        super.addRequest(req, opts);
    }
    setRequestProps(req, opts) {
        const { proxy } = this;
        const protocol = opts.secureEndpoint ? 'https:' : 'http:';
        const hostname = req.getHeader('host') || 'localhost';
        const base = `${protocol}//${hostname}`;
        const url = new url_1.URL(req.path, base);
        if (opts.port !== 80) {
            url.port = String(opts.port);
        }
        // Change the `http.ClientRequest` instance's "path" field
        // to the absolute path of the URL that will be requested.
        req.path = String(url);
        // Inject the `Proxy-Authorization` header if necessary.
        const headers = typeof this.proxyHeaders === 'function'
            ? this.proxyHeaders()
            : { ...this.proxyHeaders };
        if (proxy.username || proxy.password) {
            const auth = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
            headers['Proxy-Authorization'] = `Basic ${Buffer.from(auth).toString('base64')}`;
        }
        if (!headers['Proxy-Connection']) {
            headers['Proxy-Connection'] = this.keepAlive
                ? 'Keep-Alive'
                : 'close';
        }
        for (const name of Object.keys(headers)) {
            const value = headers[name];
            if (value) {
                req.setHeader(name, value);
            }
        }
    }
    async connect(req, opts) {
        req._header = null;
        if (!req.path.includes('://')) {
            this.setRequestProps(req, opts);
        }
        // At this point, the http ClientRequest's internal `_header` field
        // might have already been set. If this is the case then we'll need
        // to re-generate the string since we just changed the `req.path`.
        let first;
        let endOfHeaders;
        debug('Regenerating stored HTTP header string for request');
        req._implicitHeader();
        if (req.outputData && req.outputData.length > 0) {
            debug('Patching connection write() output buffer with updated header');
            first = req.outputData[0].data;
            endOfHeaders = first.indexOf('\r\n\r\n') + 4;
            req.outputData[0].data =
                req._header + first.substring(endOfHeaders);
            debug('Output buffer: %o', req.outputData[0].data);
        }
        // Create a socket connection to the proxy server.
        let socket;
        if (this.proxy.protocol === 'https:') {
            debug('Creating `tls.Socket`: %o', this.connectOpts);
            socket = tls.connect(this.connectOpts);
        }
        else {
            debug('Creating `net.Socket`: %o', this.connectOpts);
            socket = net.connect(this.connectOpts);
        }
        // Wait for the socket's `connect` event, so that this `callback()`
        // function throws instead of the `http` request machinery. This is
        // important for i.e. `PacProxyAgent` which determines a failed proxy
        // connection via the `callback()` function throwing.
        await (0, events_1.once)(socket, 'connect');
        return socket;
    }
}
HttpProxyAgent.protocols = ['http', 'https'];
exports.HttpProxyAgent = HttpProxyAgent;
function omit(obj, ...keys) {
    const ret = {};
    let key;
    for (key in obj) {
        if (!keys.includes(key)) {
            ret[key] = obj[key];
        }
    }
    return ret;
}
//# sourceMappingURL=index.js.map

/***/ }),

/***/ 4268:
/***/ (function(__unused_webpack_module, exports, __nccwpck_require__) {


var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || function (mod) {
    if (mod && mod.__esModule) return mod;
    var result = {};
    if (mod != null) for (var k in mod) if (k !== "default" && Object.prototype.hasOwnProperty.call(mod, k)) __createBinding(result, mod, k);
    __setModuleDefault(result, mod);
    return result;
};
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.req = exports.json = exports.toBuffer = void 0;
const http = __importStar(__nccwpck_require__(8611));
const https = __importStar(__nccwpck_require__(5692));
async function toBuffer(stream) {
    let length = 0;
    const chunks = [];
    for await (const chunk of stream) {
        length += chunk.length;
        chunks.push(chunk);
    }
    return Buffer.concat(chunks, length);
}
exports.toBuffer = toBuffer;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function json(stream) {
    const buf = await toBuffer(stream);
    const str = buf.toString('utf8');
    try {
        return JSON.parse(str);
    }
    catch (_err) {
        const err = _err;
        err.message += ` (input: ${str})`;
        throw err;
    }
}
exports.json = json;
function req(url, opts = {}) {
    const href = typeof url === 'string' ? url : url.href;
    const req = (href.startsWith('https:') ? https : http).request(url, opts);
    const promise = new Promise((resolve, reject) => {
        req
            .once('response', resolve)
            .once('error', reject)
            .end();
    });
    req.then = promise.then.bind(promise);
    return req;
}
exports.req = req;
//# sourceMappingURL=helpers.js.map

/***/ }),

/***/ 737:
/***/ (function(__unused_webpack_module, exports, __nccwpck_require__) {


var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || function (mod) {
    if (mod && mod.__esModule) return mod;
    var result = {};
    if (mod != null) for (var k in mod) if (k !== "default" && Object.prototype.hasOwnProperty.call(mod, k)) __createBinding(result, mod, k);
    __setModuleDefault(result, mod);
    return result;
};
var __exportStar = (this && this.__exportStar) || function(m, exports) {
    for (var p in m) if (p !== "default" && !Object.prototype.hasOwnProperty.call(exports, p)) __createBinding(exports, m, p);
};
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.Agent = void 0;
const net = __importStar(__nccwpck_require__(9278));
const http = __importStar(__nccwpck_require__(8611));
const https_1 = __nccwpck_require__(5692);
__exportStar(__nccwpck_require__(4268), exports);
const INTERNAL = Symbol('AgentBaseInternalState');
class Agent extends http.Agent {
    constructor(opts) {
        super(opts);
        this[INTERNAL] = {};
    }
    /**
     * Determine whether this is an `http` or `https` request.
     */
    isSecureEndpoint(options) {
        if (options) {
            // First check the `secureEndpoint` property explicitly, since this
            // means that a parent `Agent` is "passing through" to this instance.
            // eslint-disable-next-line @typescript-eslint/no-explicit-any
            if (typeof options.secureEndpoint === 'boolean') {
                return options.secureEndpoint;
            }
            // If no explicit `secure` endpoint, check if `protocol` property is
            // set. This will usually be the case since using a full string URL
            // or `URL` instance should be the most common usage.
            if (typeof options.protocol === 'string') {
                return options.protocol === 'https:';
            }
        }
        // Finally, if no `protocol` property was set, then fall back to
        // checking the stack trace of the current call stack, and try to
        // detect the "https" module.
        const { stack } = new Error();
        if (typeof stack !== 'string')
            return false;
        return stack
            .split('\n')
            .some((l) => l.indexOf('(https.js:') !== -1 ||
            l.indexOf('node:https:') !== -1);
    }
    // In order to support async signatures in `connect()` and Node's native
    // connection pooling in `http.Agent`, the array of sockets for each origin
    // has to be updated synchronously. This is so the length of the array is
    // accurate when `addRequest()` is next called. We achieve this by creating a
    // fake socket and adding it to `sockets[origin]` and incrementing
    // `totalSocketCount`.
    incrementSockets(name) {
        // If `maxSockets` and `maxTotalSockets` are both Infinity then there is no
        // need to create a fake socket because Node.js native connection pooling
        // will never be invoked.
        if (this.maxSockets === Infinity && this.maxTotalSockets === Infinity) {
            return null;
        }
        // All instances of `sockets` are expected TypeScript errors. The
        // alternative is to add it as a private property of this class but that
        // will break TypeScript subclassing.
        if (!this.sockets[name]) {
            // @ts-expect-error `sockets` is readonly in `@types/node`
            this.sockets[name] = [];
        }
        const fakeSocket = new net.Socket({ writable: false });
        this.sockets[name].push(fakeSocket);
        // @ts-expect-error `totalSocketCount` isn't defined in `@types/node`
        this.totalSocketCount++;
        return fakeSocket;
    }
    decrementSockets(name, socket) {
        if (!this.sockets[name] || socket === null) {
            return;
        }
        const sockets = this.sockets[name];
        const index = sockets.indexOf(socket);
        if (index !== -1) {
            sockets.splice(index, 1);
            // @ts-expect-error  `totalSocketCount` isn't defined in `@types/node`
            this.totalSocketCount--;
            if (sockets.length === 0) {
                // @ts-expect-error `sockets` is readonly in `@types/node`
                delete this.sockets[name];
            }
        }
    }
    // In order to properly update the socket pool, we need to call `getName()` on
    // the core `https.Agent` if it is a secureEndpoint.
    getName(options) {
        const secureEndpoint = this.isSecureEndpoint(options);
        if (secureEndpoint) {
            // @ts-expect-error `getName()` isn't defined in `@types/node`
            return https_1.Agent.prototype.getName.call(this, options);
        }
        // @ts-expect-error `getName()` isn't defined in `@types/node`
        return super.getName(options);
    }
    createSocket(req, options, cb) {
        const connectOpts = {
            ...options,
            secureEndpoint: this.isSecureEndpoint(options),
        };
        const name = this.getName(connectOpts);
        const fakeSocket = this.incrementSockets(name);
        Promise.resolve()
            .then(() => this.connect(req, connectOpts))
            .then((socket) => {
            this.decrementSockets(name, fakeSocket);
            if (socket instanceof http.Agent) {
                try {
                    // @ts-expect-error `addRequest()` isn't defined in `@types/node`
                    return socket.addRequest(req, connectOpts);
                }
                catch (err) {
                    return cb(err);
                }
            }
            this[INTERNAL].currentSocket = socket;
            // @ts-expect-error `createSocket()` isn't defined in `@types/node`
            super.createSocket(req, options, cb);
        }, (err) => {
            this.decrementSockets(name, fakeSocket);
            cb(err);
        });
    }
    createConnection() {
        const socket = this[INTERNAL].currentSocket;
        this[INTERNAL].currentSocket = undefined;
        if (!socket) {
            throw new Error('No socket was returned in the `connect()` function');
        }
        return socket;
    }
    get defaultPort() {
        return (this[INTERNAL].defaultPort ??
            (this.protocol === 'https:' ? 443 : 80));
    }
    set defaultPort(v) {
        if (this[INTERNAL]) {
            this[INTERNAL].defaultPort = v;
        }
    }
    get protocol() {
        return (this[INTERNAL].protocol ??
            (this.isSecureEndpoint() ? 'https:' : 'http:'));
    }
    set protocol(v) {
        if (this[INTERNAL]) {
            this[INTERNAL].protocol = v;
        }
    }
}
exports.Agent = Agent;
//# sourceMappingURL=index.js.map

/***/ }),

/***/ 3669:
/***/ (function(__unused_webpack_module, exports, __nccwpck_require__) {


var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || function (mod) {
    if (mod && mod.__esModule) return mod;
    var result = {};
    if (mod != null) for (var k in mod) if (k !== "default" && Object.prototype.hasOwnProperty.call(mod, k)) __createBinding(result, mod, k);
    __setModuleDefault(result, mod);
    return result;
};
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.HttpsProxyAgent = void 0;
const net = __importStar(__nccwpck_require__(9278));
const tls = __importStar(__nccwpck_require__(4756));
const assert_1 = __importDefault(__nccwpck_require__(2613));
const debug_1 = __importDefault(__nccwpck_require__(2830));
const agent_base_1 = __nccwpck_require__(5714);
const url_1 = __nccwpck_require__(7016);
const parse_proxy_response_1 = __nccwpck_require__(7943);
const debug = (0, debug_1.default)('https-proxy-agent');
const setServernameFromNonIpHost = (options) => {
    if (options.servername === undefined &&
        options.host &&
        !net.isIP(options.host)) {
        return {
            ...options,
            servername: options.host,
        };
    }
    return options;
};
/**
 * The `HttpsProxyAgent` implements an HTTP Agent subclass that connects to
 * the specified "HTTP(s) proxy server" in order to proxy HTTPS requests.
 *
 * Outgoing HTTP requests are first tunneled through the proxy server using the
 * `CONNECT` HTTP request method to establish a connection to the proxy server,
 * and then the proxy server connects to the destination target and issues the
 * HTTP request from the proxy server.
 *
 * `https:` requests have their socket connection upgraded to TLS once
 * the connection to the proxy server has been established.
 */
class HttpsProxyAgent extends agent_base_1.Agent {
    constructor(proxy, opts) {
        super(opts);
        this.options = { path: undefined };
        this.proxy = typeof proxy === 'string' ? new url_1.URL(proxy) : proxy;
        this.proxyHeaders = opts?.headers ?? {};
        debug('Creating new HttpsProxyAgent instance: %o', this.proxy.href);
        // Trim off the brackets from IPv6 addresses
        const host = (this.proxy.hostname || this.proxy.host).replace(/^\[|\]$/g, '');
        const port = this.proxy.port
            ? parseInt(this.proxy.port, 10)
            : this.proxy.protocol === 'https:'
                ? 443
                : 80;
        this.connectOpts = {
            // Attempt to negotiate http/1.1 for proxy servers that support http/2
            ALPNProtocols: ['http/1.1'],
            ...(opts ? omit(opts, 'headers') : null),
            host,
            port,
        };
    }
    /**
     * Called when the node-core HTTP client library is creating a
     * new HTTP request.
     */
    async connect(req, opts) {
        const { proxy } = this;
        if (!opts.host) {
            throw new TypeError('No "host" provided');
        }
        // Create a socket connection to the proxy server.
        let socket;
        if (proxy.protocol === 'https:') {
            debug('Creating `tls.Socket`: %o', this.connectOpts);
            socket = tls.connect(setServernameFromNonIpHost(this.connectOpts));
        }
        else {
            debug('Creating `net.Socket`: %o', this.connectOpts);
            socket = net.connect(this.connectOpts);
        }
        const headers = typeof this.proxyHeaders === 'function'
            ? this.proxyHeaders()
            : { ...this.proxyHeaders };
        const host = net.isIPv6(opts.host) ? `[${opts.host}]` : opts.host;
        let payload = `CONNECT ${host}:${opts.port} HTTP/1.1\r\n`;
        // Inject the `Proxy-Authorization` header if necessary.
        if (proxy.username || proxy.password) {
            const auth = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
            headers['Proxy-Authorization'] = `Basic ${Buffer.from(auth).toString('base64')}`;
        }
        headers.Host = `${host}:${opts.port}`;
        if (!headers['Proxy-Connection']) {
            headers['Proxy-Connection'] = this.keepAlive
                ? 'Keep-Alive'
                : 'close';
        }
        for (const name of Object.keys(headers)) {
            payload += `${name}: ${headers[name]}\r\n`;
        }
        const proxyResponsePromise = (0, parse_proxy_response_1.parseProxyResponse)(socket);
        socket.write(`${payload}\r\n`);
        const { connect, buffered } = await proxyResponsePromise;
        req.emit('proxyConnect', connect);
        this.emit('proxyConnect', connect, req);
        if (connect.statusCode === 200) {
            req.once('socket', resume);
            if (opts.secureEndpoint) {
                // The proxy is connecting to a TLS server, so upgrade
                // this socket connection to a TLS connection.
                debug('Upgrading socket connection to TLS');
                return tls.connect({
                    ...omit(setServernameFromNonIpHost(opts), 'host', 'path', 'port'),
                    socket,
                });
            }
            return socket;
        }
        // Some other status code that's not 200... need to re-play the HTTP
        // header "data" events onto the socket once the HTTP machinery is
        // attached so that the node core `http` can parse and handle the
        // error status code.
        // Close the original socket, and a new "fake" socket is returned
        // instead, so that the proxy doesn't get the HTTP request
        // written to it (which may contain `Authorization` headers or other
        // sensitive data).
        //
        // See: https://hackerone.com/reports/541502
        socket.destroy();
        const fakeSocket = new net.Socket({ writable: false });
        fakeSocket.readable = true;
        // Need to wait for the "socket" event to re-play the "data" events.
        req.once('socket', (s) => {
            debug('Replaying proxy buffer for failed request');
            (0, assert_1.default)(s.listenerCount('data') > 0);
            // Replay the "buffered" Buffer onto the fake `socket`, since at
            // this point the HTTP module machinery has been hooked up for
            // the user.
            s.push(buffered);
            s.push(null);
        });
        return fakeSocket;
    }
}
HttpsProxyAgent.protocols = ['http', 'https'];
exports.HttpsProxyAgent = HttpsProxyAgent;
function resume(socket) {
    socket.resume();
}
function omit(obj, ...keys) {
    const ret = {};
    let key;
    for (key in obj) {
        if (!keys.includes(key)) {
            ret[key] = obj[key];
        }
    }
    return ret;
}
//# sourceMappingURL=index.js.map

/***/ }),

/***/ 7943:
/***/ (function(__unused_webpack_module, exports, __nccwpck_require__) {


var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.parseProxyResponse = void 0;
const debug_1 = __importDefault(__nccwpck_require__(2830));
const debug = (0, debug_1.default)('https-proxy-agent:parse-proxy-response');
function parseProxyResponse(socket) {
    return new Promise((resolve, reject) => {
        // we need to buffer any HTTP traffic that happens with the proxy before we get
        // the CONNECT response, so that if the response is anything other than an "200"
        // response code, then we can re-play the "data" events on the socket once the
        // HTTP parser is hooked up...
        let buffersLength = 0;
        const buffers = [];
        function read() {
            const b = socket.read();
            if (b)
                ondata(b);
            else
                socket.once('readable', read);
        }
        function cleanup() {
            socket.removeListener('end', onend);
            socket.removeListener('error', onerror);
            socket.removeListener('readable', read);
        }
        function onend() {
            cleanup();
            debug('onend');
            reject(new Error('Proxy connection ended before receiving CONNECT response'));
        }
        function onerror(err) {
            cleanup();
            debug('onerror %o', err);
            reject(err);
        }
        function ondata(b) {
            buffers.push(b);
            buffersLength += b.length;
            const buffered = Buffer.concat(buffers, buffersLength);
            const endOfHeaders = buffered.indexOf('\r\n\r\n');
            if (endOfHeaders === -1) {
                // keep buffering
                debug('have not received end of HTTP headers yet...');
                read();
                return;
            }
            const headerParts = buffered
                .slice(0, endOfHeaders)
                .toString('ascii')
                .split('\r\n');
            const firstLine = headerParts.shift();
            if (!firstLine) {
                socket.destroy();
                return reject(new Error('No header received from proxy CONNECT response'));
            }
            const firstLineParts = firstLine.split(' ');
            const statusCode = +firstLineParts[1];
            const statusText = firstLineParts.slice(2).join(' ');
            const headers = {};
            for (const header of headerParts) {
                if (!header)
                    continue;
                const firstColon = header.indexOf(':');
                if (firstColon === -1) {
                    socket.destroy();
                    return reject(new Error(`Invalid header from proxy CONNECT response: "${header}"`));
                }
                const key = header.slice(0, firstColon).toLowerCase();
                const value = header.slice(firstColon + 1).trimStart();
                const current = headers[key];
                if (typeof current === 'string') {
                    headers[key] = [current, value];
                }
                else if (Array.isArray(current)) {
                    current.push(value);
                }
                else {
                    headers[key] = value;
                }
            }
            debug('got proxy server response: %o %o', firstLine, headers);
            cleanup();
            resolve({
                connect: {
                    statusCode,
                    statusText,
                    headers,
                },
                buffered,
            });
        }
        socket.on('error', onerror);
        socket.on('end', onend);
        read();
    });
}
exports.parseProxyResponse = parseProxyResponse;
//# sourceMappingURL=parse-proxy-response.js.map

/***/ }),

/***/ 8515:
/***/ (function(__unused_webpack_module, exports, __nccwpck_require__) {


var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || function (mod) {
    if (mod && mod.__esModule) return mod;
    var result = {};
    if (mod != null) for (var k in mod) if (k !== "default" && Object.prototype.hasOwnProperty.call(mod, k)) __createBinding(result, mod, k);
    __setModuleDefault(result, mod);
    return result;
};
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.req = exports.json = exports.toBuffer = void 0;
const http = __importStar(__nccwpck_require__(8611));
const https = __importStar(__nccwpck_require__(5692));
async function toBuffer(stream) {
    let length = 0;
    const chunks = [];
    for await (const chunk of stream) {
        length += chunk.length;
        chunks.push(chunk);
    }
    return Buffer.concat(chunks, length);
}
exports.toBuffer = toBuffer;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function json(stream) {
    const buf = await toBuffer(stream);
    const str = buf.toString('utf8');
    try {
        return JSON.parse(str);
    }
    catch (_err) {
        const err = _err;
        err.message += ` (input: ${str})`;
        throw err;
    }
}
exports.json = json;
function req(url, opts = {}) {
    const href = typeof url === 'string' ? url : url.href;
    const req = (href.startsWith('https:') ? https : http).request(url, opts);
    const promise = new Promise((resolve, reject) => {
        req
            .once('response', resolve)
            .once('error', reject)
            .end();
    });
    req.then = promise.then.bind(promise);
    return req;
}
exports.req = req;
//# sourceMappingURL=helpers.js.map

/***/ }),

/***/ 5714:
/***/ (function(__unused_webpack_module, exports, __nccwpck_require__) {


var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || function (mod) {
    if (mod && mod.__esModule) return mod;
    var result = {};
    if (mod != null) for (var k in mod) if (k !== "default" && Object.prototype.hasOwnProperty.call(mod, k)) __createBinding(result, mod, k);
    __setModuleDefault(result, mod);
    return result;
};
var __exportStar = (this && this.__exportStar) || function(m, exports) {
    for (var p in m) if (p !== "default" && !Object.prototype.hasOwnProperty.call(exports, p)) __createBinding(exports, m, p);
};
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.Agent = void 0;
const net = __importStar(__nccwpck_require__(9278));
const http = __importStar(__nccwpck_require__(8611));
const https_1 = __nccwpck_require__(5692);
__exportStar(__nccwpck_require__(8515), exports);
const INTERNAL = Symbol('AgentBaseInternalState');
class Agent extends http.Agent {
    constructor(opts) {
        super(opts);
        this[INTERNAL] = {};
    }
    /**
     * Determine whether this is an `http` or `https` request.
     */
    isSecureEndpoint(options) {
        if (options) {
            // First check the `secureEndpoint` property explicitly, since this
            // means that a parent `Agent` is "passing through" to this instance.
            // eslint-disable-next-line @typescript-eslint/no-explicit-any
            if (typeof options.secureEndpoint === 'boolean') {
                return options.secureEndpoint;
            }
            // If no explicit `secure` endpoint, check if `protocol` property is
            // set. This will usually be the case since using a full string URL
            // or `URL` instance should be the most common usage.
            if (typeof options.protocol === 'string') {
                return options.protocol === 'https:';
            }
        }
        // Finally, if no `protocol` property was set, then fall back to
        // checking the stack trace of the current call stack, and try to
        // detect the "https" module.
        const { stack } = new Error();
        if (typeof stack !== 'string')
            return false;
        return stack
            .split('\n')
            .some((l) => l.indexOf('(https.js:') !== -1 ||
            l.indexOf('node:https:') !== -1);
    }
    // In order to support async signatures in `connect()` and Node's native
    // connection pooling in `http.Agent`, the array of sockets for each origin
    // has to be updated synchronously. This is so the length of the array is
    // accurate when `addRequest()` is next called. We achieve this by creating a
    // fake socket and adding it to `sockets[origin]` and incrementing
    // `totalSocketCount`.
    incrementSockets(name) {
        // If `maxSockets` and `maxTotalSockets` are both Infinity then there is no
        // need to create a fake socket because Node.js native connection pooling
        // will never be invoked.
        if (this.maxSockets === Infinity && this.maxTotalSockets === Infinity) {
            return null;
        }
        // All instances of `sockets` are expected TypeScript errors. The
        // alternative is to add it as a private property of this class but that
        // will break TypeScript subclassing.
        if (!this.sockets[name]) {
            // @ts-expect-error `sockets` is readonly in `@types/node`
            this.sockets[name] = [];
        }
        const fakeSocket = new net.Socket({ writable: false });
        this.sockets[name].push(fakeSocket);
        // @ts-expect-error `totalSocketCount` isn't defined in `@types/node`
        this.totalSocketCount++;
        return fakeSocket;
    }
    decrementSockets(name, socket) {
        if (!this.sockets[name] || socket === null) {
            return;
        }
        const sockets = this.sockets[name];
        const index = sockets.indexOf(socket);
        if (index !== -1) {
            sockets.splice(index, 1);
            // @ts-expect-error  `totalSocketCount` isn't defined in `@types/node`
            this.totalSocketCount--;
            if (sockets.length === 0) {
                // @ts-expect-error `sockets` is readonly in `@types/node`
                delete this.sockets[name];
            }
        }
    }
    // In order to properly update the socket pool, we need to call `getName()` on
    // the core `https.Agent` if it is a secureEndpoint.
    getName(options) {
        const secureEndpoint = this.isSecureEndpoint(options);
        if (secureEndpoint) {
            // @ts-expect-error `getName()` isn't defined in `@types/node`
            return https_1.Agent.prototype.getName.call(this, options);
        }
        // @ts-expect-error `getName()` isn't defined in `@types/node`
        return super.getName(options);
    }
    createSocket(req, options, cb) {
        const connectOpts = {
            ...options,
            secureEndpoint: this.isSecureEndpoint(options),
        };
        const name = this.getName(connectOpts);
        const fakeSocket = this.incrementSockets(name);
        Promise.resolve()
            .then(() => this.connect(req, connectOpts))
            .then((socket) => {
            this.decrementSockets(name, fakeSocket);
            if (socket instanceof http.Agent) {
                try {
                    // @ts-expect-error `addRequest()` isn't defined in `@types/node`
                    return socket.addRequest(req, connectOpts);
                }
                catch (err) {
                    return cb(err);
                }
            }
            this[INTERNAL].currentSocket = socket;
            // @ts-expect-error `createSocket()` isn't defined in `@types/node`
            super.createSocket(req, options, cb);
        }, (err) => {
            this.decrementSockets(name, fakeSocket);
            cb(err);
        });
    }
    createConnection() {
        const socket = this[INTERNAL].currentSocket;
        this[INTERNAL].currentSocket = undefined;
        if (!socket) {
            throw new Error('No socket was returned in the `connect()` function');
        }
        return socket;
    }
    get defaultPort() {
        return (this[INTERNAL].defaultPort ??
            (this.protocol === 'https:' ? 443 : 80));
    }
    set defaultPort(v) {
        if (this[INTERNAL]) {
            this[INTERNAL].defaultPort = v;
        }
    }
    get protocol() {
        return (this[INTERNAL].protocol ??
            (this.isSecureEndpoint() ? 'https:' : 'http:'));
    }
    set protocol(v) {
        if (this[INTERNAL]) {
            this[INTERNAL].protocol = v;
        }
    }
}
exports.Agent = Agent;
//# sourceMappingURL=index.js.map

/***/ }),

/***/ 4519:
/***/ ((module) => {

/* eslint-disable yoda */


const isFullwidthCodePoint = codePoint => {
	if (Number.isNaN(codePoint)) {
		return false;
	}

	// Code points are derived from:
	// http://www.unix.org/Public/UNIDATA/EastAsianWidth.txt
	if (
		codePoint >= 0x1100 && (
			codePoint <= 0x115F || // Hangul Jamo
			codePoint === 0x2329 || // LEFT-POINTING ANGLE BRACKET
			codePoint === 0x232A || // RIGHT-POINTING ANGLE BRACKET
			// CJK Radicals Supplement .. Enclosed CJK Letters and Months
			(0x2E80 <= codePoint && codePoint <= 0x3247 && codePoint !== 0x303F) ||
			// Enclosed CJK Letters and Months .. CJK Unified Ideographs Extension A
			(0x3250 <= codePoint && codePoint <= 0x4DBF) ||
			// CJK Unified Ideographs .. Yi Radicals
			(0x4E00 <= codePoint && codePoint <= 0xA4C6) ||
			// Hangul Jamo Extended-A
			(0xA960 <= codePoint && codePoint <= 0xA97C) ||
			// Hangul Syllables
			(0xAC00 <= codePoint && codePoint <= 0xD7A3) ||
			// CJK Compatibility Ideographs
			(0xF900 <= codePoint && codePoint <= 0xFAFF) ||
			// Vertical Forms
			(0xFE10 <= codePoint && codePoint <= 0xFE19) ||
			// CJK Compatibility Forms .. Small Form Variants
			(0xFE30 <= codePoint && codePoint <= 0xFE6B) ||
			// Halfwidth and Fullwidth Forms
			(0xFF01 <= codePoint && codePoint <= 0xFF60) ||
			(0xFFE0 <= codePoint && codePoint <= 0xFFE6) ||
			// Kana Supplement
			(0x1B000 <= codePoint && codePoint <= 0x1B001) ||
			// Enclosed Ideographic Supplement
			(0x1F200 <= codePoint && codePoint <= 0x1F251) ||
			// CJK Unified Ideographs Extension B .. Tertiary Ideographic Plane
			(0x20000 <= codePoint && codePoint <= 0x3FFFD)
		)
	) {
		return true;
	}

	return false;
};

module.exports = isFullwidthCodePoint;
module.exports["default"] = isFullwidthCodePoint;


/***/ }),

/***/ 744:
/***/ ((module) => {

/**
 * Helpers.
 */

var s = 1000;
var m = s * 60;
var h = m * 60;
var d = h * 24;
var w = d * 7;
var y = d * 365.25;

/**
 * Parse or format the given `val`.
 *
 * Options:
 *
 *  - `long` verbose formatting [false]
 *
 * @param {String|Number} val
 * @param {Object} [options]
 * @throws {Error} throw an error if val is not a non-empty string or a number
 * @return {String|Number}
 * @api public
 */

module.exports = function (val, options) {
  options = options || {};
  var type = typeof val;
  if (type === 'string' && val.length > 0) {
    return parse(val);
  } else if (type === 'number' && isFinite(val)) {
    return options.long ? fmtLong(val) : fmtShort(val);
  }
  throw new Error(
    'val is not a non-empty string or a valid number. val=' +
      JSON.stringify(val)
  );
};

/**
 * Parse the given `str` and return milliseconds.
 *
 * @param {String} str
 * @return {Number}
 * @api private
 */

function parse(str) {
  str = String(str);
  if (str.length > 100) {
    return;
  }
  var match = /^(-?(?:\d+)?\.?\d+) *(milliseconds?|msecs?|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w|years?|yrs?|y)?$/i.exec(
    str
  );
  if (!match) {
    return;
  }
  var n = parseFloat(match[1]);
  var type = (match[2] || 'ms').toLowerCase();
  switch (type) {
    case 'years':
    case 'year':
    case 'yrs':
    case 'yr':
    case 'y':
      return n * y;
    case 'weeks':
    case 'week':
    case 'w':
      return n * w;
    case 'days':
    case 'day':
    case 'd':
      return n * d;
    case 'hours':
    case 'hour':
    case 'hrs':
    case 'hr':
    case 'h':
      return n * h;
    case 'minutes':
    case 'minute':
    case 'mins':
    case 'min':
    case 'm':
      return n * m;
    case 'seconds':
    case 'second':
    case 'secs':
    case 'sec':
    case 's':
      return n * s;
    case 'milliseconds':
    case 'millisecond':
    case 'msecs':
    case 'msec':
    case 'ms':
      return n;
    default:
      return undefined;
  }
}

/**
 * Short format for `ms`.
 *
 * @param {Number} ms
 * @return {String}
 * @api private
 */

function fmtShort(ms) {
  var msAbs = Math.abs(ms);
  if (msAbs >= d) {
    return Math.round(ms / d) + 'd';
  }
  if (msAbs >= h) {
    return Math.round(ms / h) + 'h';
  }
  if (msAbs >= m) {
    return Math.round(ms / m) + 'm';
  }
  if (msAbs >= s) {
    return Math.round(ms / s) + 's';
  }
  return ms + 'ms';
}

/**
 * Long format for `ms`.
 *
 * @param {Number} ms
 * @return {String}
 * @api private
 */

function fmtLong(ms) {
  var msAbs = Math.abs(ms);
  if (msAbs >= d) {
    return plural(ms, msAbs, d, 'day');
  }
  if (msAbs >= h) {
    return plural(ms, msAbs, h, 'hour');
  }
  if (msAbs >= m) {
    return plural(ms, msAbs, m, 'minute');
  }
  if (msAbs >= s) {
    return plural(ms, msAbs, s, 'second');
  }
  return ms + ' ms';
}

/**
 * Pluralization helper.
 */

function plural(ms, msAbs, n, name) {
  var isPlural = msAbs >= n * 1.5;
  return Math.round(ms / n) + ' ' + name + (isPlural ? 's' : '');
}


/***/ }),

/***/ 6705:
/***/ ((module, exports, __nccwpck_require__) => {



Object.defineProperty(exports, "__esModule", ({ value: true }));

function _interopDefault (ex) { return (ex && (typeof ex === 'object') && 'default' in ex) ? ex['default'] : ex; }

var Stream = _interopDefault(__nccwpck_require__(2203));
var http = _interopDefault(__nccwpck_require__(8611));
var Url = _interopDefault(__nccwpck_require__(7016));
var whatwgUrl = _interopDefault(__nccwpck_require__(2686));
var https = _interopDefault(__nccwpck_require__(5692));
var zlib = _interopDefault(__nccwpck_require__(3106));

// Based on https://github.com/tmpvar/jsdom/blob/aa85b2abf07766ff7bf5c1f6daafb3726f2f2db5/lib/jsdom/living/blob.js

// fix for "Readable" isn't a named export issue
const Readable = Stream.Readable;

const BUFFER = Symbol('buffer');
const TYPE = Symbol('type');

class Blob {
	constructor() {
		this[TYPE] = '';

		const blobParts = arguments[0];
		const options = arguments[1];

		const buffers = [];
		let size = 0;

		if (blobParts) {
			const a = blobParts;
			const length = Number(a.length);
			for (let i = 0; i < length; i++) {
				const element = a[i];
				let buffer;
				if (element instanceof Buffer) {
					buffer = element;
				} else if (ArrayBuffer.isView(element)) {
					buffer = Buffer.from(element.buffer, element.byteOffset, element.byteLength);
				} else if (element instanceof ArrayBuffer) {
					buffer = Buffer.from(element);
				} else if (element instanceof Blob) {
					buffer = element[BUFFER];
				} else {
					buffer = Buffer.from(typeof element === 'string' ? element : String(element));
				}
				size += buffer.length;
				buffers.push(buffer);
			}
		}

		this[BUFFER] = Buffer.concat(buffers);

		let type = options && options.type !== undefined && String(options.type).toLowerCase();
		if (type && !/[^\u0020-\u007E]/.test(type)) {
			this[TYPE] = type;
		}
	}
	get size() {
		return this[BUFFER].length;
	}
	get type() {
		return this[TYPE];
	}
	text() {
		return Promise.resolve(this[BUFFER].toString());
	}
	arrayBuffer() {
		const buf = this[BUFFER];
		const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
		return Promise.resolve(ab);
	}
	stream() {
		const readable = new Readable();
		readable._read = function () {};
		readable.push(this[BUFFER]);
		readable.push(null);
		return readable;
	}
	toString() {
		return '[object Blob]';
	}
	slice() {
		const size = this.size;

		const start = arguments[0];
		const end = arguments[1];
		let relativeStart, relativeEnd;
		if (start === undefined) {
			relativeStart = 0;
		} else if (start < 0) {
			relativeStart = Math.max(size + start, 0);
		} else {
			relativeStart = Math.min(start, size);
		}
		if (end === undefined) {
			relativeEnd = size;
		} else if (end < 0) {
			relativeEnd = Math.max(size + end, 0);
		} else {
			relativeEnd = Math.min(end, size);
		}
		const span = Math.max(relativeEnd - relativeStart, 0);

		const buffer = this[BUFFER];
		const slicedBuffer = buffer.slice(relativeStart, relativeStart + span);
		const blob = new Blob([], { type: arguments[2] });
		blob[BUFFER] = slicedBuffer;
		return blob;
	}
}

Object.defineProperties(Blob.prototype, {
	size: { enumerable: true },
	type: { enumerable: true },
	slice: { enumerable: true }
});

Object.defineProperty(Blob.prototype, Symbol.toStringTag, {
	value: 'Blob',
	writable: false,
	enumerable: false,
	configurable: true
});

/**
 * fetch-error.js
 *
 * FetchError interface for operational errors
 */

/**
 * Create FetchError instance
 *
 * @param   String      message      Error message for human
 * @param   String      type         Error type for machine
 * @param   String      systemError  For Node.js system error
 * @return  FetchError
 */
function FetchError(message, type, systemError) {
  Error.call(this, message);

  this.message = message;
  this.type = type;

  // when err.type is `system`, err.code contains system error code
  if (systemError) {
    this.code = this.errno = systemError.code;
  }

  // hide custom error implementation details from end-users
  Error.captureStackTrace(this, this.constructor);
}

FetchError.prototype = Object.create(Error.prototype);
FetchError.prototype.constructor = FetchError;
FetchError.prototype.name = 'FetchError';

let convert;
try {
	convert = (__nccwpck_require__(2078).convert);
} catch (e) {}

const INTERNALS = Symbol('Body internals');

// fix an issue where "PassThrough" isn't a named export for node <10
const PassThrough = Stream.PassThrough;

/**
 * Body mixin
 *
 * Ref: https://fetch.spec.whatwg.org/#body
 *
 * @param   Stream  body  Readable stream
 * @param   Object  opts  Response options
 * @return  Void
 */
function Body(body) {
	var _this = this;

	var _ref = arguments.length > 1 && arguments[1] !== undefined ? arguments[1] : {},
	    _ref$size = _ref.size;

	let size = _ref$size === undefined ? 0 : _ref$size;
	var _ref$timeout = _ref.timeout;
	let timeout = _ref$timeout === undefined ? 0 : _ref$timeout;

	if (body == null) {
		// body is undefined or null
		body = null;
	} else if (isURLSearchParams(body)) {
		// body is a URLSearchParams
		body = Buffer.from(body.toString());
	} else if (isBlob(body)) ; else if (Buffer.isBuffer(body)) ; else if (Object.prototype.toString.call(body) === '[object ArrayBuffer]') {
		// body is ArrayBuffer
		body = Buffer.from(body);
	} else if (ArrayBuffer.isView(body)) {
		// body is ArrayBufferView
		body = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
	} else if (body instanceof Stream) ; else {
		// none of the above
		// coerce to string then buffer
		body = Buffer.from(String(body));
	}
	this[INTERNALS] = {
		body,
		disturbed: false,
		error: null
	};
	this.size = size;
	this.timeout = timeout;

	if (body instanceof Stream) {
		body.on('error', function (err) {
			const error = err.name === 'AbortError' ? err : new FetchError(`Invalid response body while trying to fetch ${_this.url}: ${err.message}`, 'system', err);
			_this[INTERNALS].error = error;
		});
	}
}

Body.prototype = {
	get body() {
		return this[INTERNALS].body;
	},

	get bodyUsed() {
		return this[INTERNALS].disturbed;
	},

	/**
  * Decode response as ArrayBuffer
  *
  * @return  Promise
  */
	arrayBuffer() {
		return consumeBody.call(this).then(function (buf) {
			return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
		});
	},

	/**
  * Return raw response as Blob
  *
  * @return Promise
  */
	blob() {
		let ct = this.headers && this.headers.get('content-type') || '';
		return consumeBody.call(this).then(function (buf) {
			return Object.assign(
			// Prevent copying
			new Blob([], {
				type: ct.toLowerCase()
			}), {
				[BUFFER]: buf
			});
		});
	},

	/**
  * Decode response as json
  *
  * @return  Promise
  */
	json() {
		var _this2 = this;

		return consumeBody.call(this).then(function (buffer) {
			try {
				return JSON.parse(buffer.toString());
			} catch (err) {
				return Body.Promise.reject(new FetchError(`invalid json response body at ${_this2.url} reason: ${err.message}`, 'invalid-json'));
			}
		});
	},

	/**
  * Decode response as text
  *
  * @return  Promise
  */
	text() {
		return consumeBody.call(this).then(function (buffer) {
			return buffer.toString();
		});
	},

	/**
  * Decode response as buffer (non-spec api)
  *
  * @return  Promise
  */
	buffer() {
		return consumeBody.call(this);
	},

	/**
  * Decode response as text, while automatically detecting the encoding and
  * trying to decode to UTF-8 (non-spec api)
  *
  * @return  Promise
  */
	textConverted() {
		var _this3 = this;

		return consumeBody.call(this).then(function (buffer) {
			return convertBody(buffer, _this3.headers);
		});
	}
};

// In browsers, all properties are enumerable.
Object.defineProperties(Body.prototype, {
	body: { enumerable: true },
	bodyUsed: { enumerable: true },
	arrayBuffer: { enumerable: true },
	blob: { enumerable: true },
	json: { enumerable: true },
	text: { enumerable: true }
});

Body.mixIn = function (proto) {
	for (const name of Object.getOwnPropertyNames(Body.prototype)) {
		// istanbul ignore else: future proof
		if (!(name in proto)) {
			const desc = Object.getOwnPropertyDescriptor(Body.prototype, name);
			Object.defineProperty(proto, name, desc);
		}
	}
};

/**
 * Consume and convert an entire Body to a Buffer.
 *
 * Ref: https://fetch.spec.whatwg.org/#concept-body-consume-body
 *
 * @return  Promise
 */
function consumeBody() {
	var _this4 = this;

	if (this[INTERNALS].disturbed) {
		return Body.Promise.reject(new TypeError(`body used already for: ${this.url}`));
	}

	this[INTERNALS].disturbed = true;

	if (this[INTERNALS].error) {
		return Body.Promise.reject(this[INTERNALS].error);
	}

	let body = this.body;

	// body is null
	if (body === null) {
		return Body.Promise.resolve(Buffer.alloc(0));
	}

	// body is blob
	if (isBlob(body)) {
		body = body.stream();
	}

	// body is buffer
	if (Buffer.isBuffer(body)) {
		return Body.Promise.resolve(body);
	}

	// istanbul ignore if: should never happen
	if (!(body instanceof Stream)) {
		return Body.Promise.resolve(Buffer.alloc(0));
	}

	// body is stream
	// get ready to actually consume the body
	let accum = [];
	let accumBytes = 0;
	let abort = false;

	return new Body.Promise(function (resolve, reject) {
		let resTimeout;

		// allow timeout on slow response body
		if (_this4.timeout) {
			resTimeout = setTimeout(function () {
				abort = true;
				reject(new FetchError(`Response timeout while trying to fetch ${_this4.url} (over ${_this4.timeout}ms)`, 'body-timeout'));
			}, _this4.timeout);
		}

		// handle stream errors
		body.on('error', function (err) {
			if (err.name === 'AbortError') {
				// if the request was aborted, reject with this Error
				abort = true;
				reject(err);
			} else {
				// other errors, such as incorrect content-encoding
				reject(new FetchError(`Invalid response body while trying to fetch ${_this4.url}: ${err.message}`, 'system', err));
			}
		});

		body.on('data', function (chunk) {
			if (abort || chunk === null) {
				return;
			}

			if (_this4.size && accumBytes + chunk.length > _this4.size) {
				abort = true;
				reject(new FetchError(`content size at ${_this4.url} over limit: ${_this4.size}`, 'max-size'));
				return;
			}

			accumBytes += chunk.length;
			accum.push(chunk);
		});

		body.on('end', function () {
			if (abort) {
				return;
			}

			clearTimeout(resTimeout);

			try {
				resolve(Buffer.concat(accum, accumBytes));
			} catch (err) {
				// handle streams that have accumulated too much data (issue #414)
				reject(new FetchError(`Could not create Buffer from response body for ${_this4.url}: ${err.message}`, 'system', err));
			}
		});
	});
}

/**
 * Detect buffer encoding and convert to target encoding
 * ref: http://www.w3.org/TR/2011/WD-html5-20110113/parsing.html#determining-the-character-encoding
 *
 * @param   Buffer  buffer    Incoming buffer
 * @param   String  encoding  Target encoding
 * @return  String
 */
function convertBody(buffer, headers) {
	if (typeof convert !== 'function') {
		throw new Error('The package `encoding` must be installed to use the textConverted() function');
	}

	const ct = headers.get('content-type');
	let charset = 'utf-8';
	let res, str;

	// header
	if (ct) {
		res = /charset=([^;]*)/i.exec(ct);
	}

	// no charset in content type, peek at response body for at most 1024 bytes
	str = buffer.slice(0, 1024).toString();

	// html5
	if (!res && str) {
		res = /<meta.+?charset=(['"])(.+?)\1/i.exec(str);
	}

	// html4
	if (!res && str) {
		res = /<meta[\s]+?http-equiv=(['"])content-type\1[\s]+?content=(['"])(.+?)\2/i.exec(str);
		if (!res) {
			res = /<meta[\s]+?content=(['"])(.+?)\1[\s]+?http-equiv=(['"])content-type\3/i.exec(str);
			if (res) {
				res.pop(); // drop last quote
			}
		}

		if (res) {
			res = /charset=(.*)/i.exec(res.pop());
		}
	}

	// xml
	if (!res && str) {
		res = /<\?xml.+?encoding=(['"])(.+?)\1/i.exec(str);
	}

	// found charset
	if (res) {
		charset = res.pop();

		// prevent decode issues when sites use incorrect encoding
		// ref: https://hsivonen.fi/encoding-menu/
		if (charset === 'gb2312' || charset === 'gbk') {
			charset = 'gb18030';
		}
	}

	// turn raw buffers into a single utf-8 buffer
	return convert(buffer, 'UTF-8', charset).toString();
}

/**
 * Detect a URLSearchParams object
 * ref: https://github.com/bitinn/node-fetch/issues/296#issuecomment-307598143
 *
 * @param   Object  obj     Object to detect by type or brand
 * @return  String
 */
function isURLSearchParams(obj) {
	// Duck-typing as a necessary condition.
	if (typeof obj !== 'object' || typeof obj.append !== 'function' || typeof obj.delete !== 'function' || typeof obj.get !== 'function' || typeof obj.getAll !== 'function' || typeof obj.has !== 'function' || typeof obj.set !== 'function') {
		return false;
	}

	// Brand-checking and more duck-typing as optional condition.
	return obj.constructor.name === 'URLSearchParams' || Object.prototype.toString.call(obj) === '[object URLSearchParams]' || typeof obj.sort === 'function';
}

/**
 * Check if `obj` is a W3C `Blob` object (which `File` inherits from)
 * @param  {*} obj
 * @return {boolean}
 */
function isBlob(obj) {
	return typeof obj === 'object' && typeof obj.arrayBuffer === 'function' && typeof obj.type === 'string' && typeof obj.stream === 'function' && typeof obj.constructor === 'function' && typeof obj.constructor.name === 'string' && /^(Blob|File)$/.test(obj.constructor.name) && /^(Blob|File)$/.test(obj[Symbol.toStringTag]);
}

/**
 * Clone body given Res/Req instance
 *
 * @param   Mixed  instance  Response or Request instance
 * @return  Mixed
 */
function clone(instance) {
	let p1, p2;
	let body = instance.body;

	// don't allow cloning a used body
	if (instance.bodyUsed) {
		throw new Error('cannot clone body after it is used');
	}

	// check that body is a stream and not form-data object
	// note: we can't clone the form-data object without having it as a dependency
	if (body instanceof Stream && typeof body.getBoundary !== 'function') {
		// tee instance body
		p1 = new PassThrough();
		p2 = new PassThrough();
		body.pipe(p1);
		body.pipe(p2);
		// set instance body to teed body and return the other teed body
		instance[INTERNALS].body = p1;
		body = p2;
	}

	return body;
}

/**
 * Performs the operation "extract a `Content-Type` value from |object|" as
 * specified in the specification:
 * https://fetch.spec.whatwg.org/#concept-bodyinit-extract
 *
 * This function assumes that instance.body is present.
 *
 * @param   Mixed  instance  Any options.body input
 */
function extractContentType(body) {
	if (body === null) {
		// body is null
		return null;
	} else if (typeof body === 'string') {
		// body is string
		return 'text/plain;charset=UTF-8';
	} else if (isURLSearchParams(body)) {
		// body is a URLSearchParams
		return 'application/x-www-form-urlencoded;charset=UTF-8';
	} else if (isBlob(body)) {
		// body is blob
		return body.type || null;
	} else if (Buffer.isBuffer(body)) {
		// body is buffer
		return null;
	} else if (Object.prototype.toString.call(body) === '[object ArrayBuffer]') {
		// body is ArrayBuffer
		return null;
	} else if (ArrayBuffer.isView(body)) {
		// body is ArrayBufferView
		return null;
	} else if (typeof body.getBoundary === 'function') {
		// detect form data input from form-data module
		return `multipart/form-data;boundary=${body.getBoundary()}`;
	} else if (body instanceof Stream) {
		// body is stream
		// can't really do much about this
		return null;
	} else {
		// Body constructor defaults other things to string
		return 'text/plain;charset=UTF-8';
	}
}

/**
 * The Fetch Standard treats this as if "total bytes" is a property on the body.
 * For us, we have to explicitly get it with a function.
 *
 * ref: https://fetch.spec.whatwg.org/#concept-body-total-bytes
 *
 * @param   Body    instance   Instance of Body
 * @return  Number?            Number of bytes, or null if not possible
 */
function getTotalBytes(instance) {
	const body = instance.body;


	if (body === null) {
		// body is null
		return 0;
	} else if (isBlob(body)) {
		return body.size;
	} else if (Buffer.isBuffer(body)) {
		// body is buffer
		return body.length;
	} else if (body && typeof body.getLengthSync === 'function') {
		// detect form data input from form-data module
		if (body._lengthRetrievers && body._lengthRetrievers.length == 0 || // 1.x
		body.hasKnownLength && body.hasKnownLength()) {
			// 2.x
			return body.getLengthSync();
		}
		return null;
	} else {
		// body is stream
		return null;
	}
}

/**
 * Write a Body to a Node.js WritableStream (e.g. http.Request) object.
 *
 * @param   Body    instance   Instance of Body
 * @return  Void
 */
function writeToStream(dest, instance) {
	const body = instance.body;


	if (body === null) {
		// body is null
		dest.end();
	} else if (isBlob(body)) {
		body.stream().pipe(dest);
	} else if (Buffer.isBuffer(body)) {
		// body is buffer
		dest.write(body);
		dest.end();
	} else {
		// body is stream
		body.pipe(dest);
	}
}

// expose Promise
Body.Promise = global.Promise;

/**
 * headers.js
 *
 * Headers class offers convenient helpers
 */

const invalidTokenRegex = /[^\^_`a-zA-Z\-0-9!#$%&'*+.|~]/;
const invalidHeaderCharRegex = /[^\t\x20-\x7e\x80-\xff]/;

function validateName(name) {
	name = `${name}`;
	if (invalidTokenRegex.test(name) || name === '') {
		throw new TypeError(`${name} is not a legal HTTP header name`);
	}
}

function validateValue(value) {
	value = `${value}`;
	if (invalidHeaderCharRegex.test(value)) {
		throw new TypeError(`${value} is not a legal HTTP header value`);
	}
}

/**
 * Find the key in the map object given a header name.
 *
 * Returns undefined if not found.
 *
 * @param   String  name  Header name
 * @return  String|Undefined
 */
function find(map, name) {
	name = name.toLowerCase();
	for (const key in map) {
		if (key.toLowerCase() === name) {
			return key;
		}
	}
	return undefined;
}

const MAP = Symbol('map');
class Headers {
	/**
  * Headers class
  *
  * @param   Object  headers  Response headers
  * @return  Void
  */
	constructor() {
		let init = arguments.length > 0 && arguments[0] !== undefined ? arguments[0] : undefined;

		this[MAP] = Object.create(null);

		if (init instanceof Headers) {
			const rawHeaders = init.raw();
			const headerNames = Object.keys(rawHeaders);

			for (const headerName of headerNames) {
				for (const value of rawHeaders[headerName]) {
					this.append(headerName, value);
				}
			}

			return;
		}

		// We don't worry about converting prop to ByteString here as append()
		// will handle it.
		if (init == null) ; else if (typeof init === 'object') {
			const method = init[Symbol.iterator];
			if (method != null) {
				if (typeof method !== 'function') {
					throw new TypeError('Header pairs must be iterable');
				}

				// sequence<sequence<ByteString>>
				// Note: per spec we have to first exhaust the lists then process them
				const pairs = [];
				for (const pair of init) {
					if (typeof pair !== 'object' || typeof pair[Symbol.iterator] !== 'function') {
						throw new TypeError('Each header pair must be iterable');
					}
					pairs.push(Array.from(pair));
				}

				for (const pair of pairs) {
					if (pair.length !== 2) {
						throw new TypeError('Each header pair must be a name/value tuple');
					}
					this.append(pair[0], pair[1]);
				}
			} else {
				// record<ByteString, ByteString>
				for (const key of Object.keys(init)) {
					const value = init[key];
					this.append(key, value);
				}
			}
		} else {
			throw new TypeError('Provided initializer must be an object');
		}
	}

	/**
  * Return combined header value given name
  *
  * @param   String  name  Header name
  * @return  Mixed
  */
	get(name) {
		name = `${name}`;
		validateName(name);
		const key = find(this[MAP], name);
		if (key === undefined) {
			return null;
		}

		return this[MAP][key].join(', ');
	}

	/**
  * Iterate over all headers
  *
  * @param   Function  callback  Executed for each item with parameters (value, name, thisArg)
  * @param   Boolean   thisArg   `this` context for callback function
  * @return  Void
  */
	forEach(callback) {
		let thisArg = arguments.length > 1 && arguments[1] !== undefined ? arguments[1] : undefined;

		let pairs = getHeaders(this);
		let i = 0;
		while (i < pairs.length) {
			var _pairs$i = pairs[i];
			const name = _pairs$i[0],
			      value = _pairs$i[1];

			callback.call(thisArg, value, name, this);
			pairs = getHeaders(this);
			i++;
		}
	}

	/**
  * Overwrite header values given name
  *
  * @param   String  name   Header name
  * @param   String  value  Header value
  * @return  Void
  */
	set(name, value) {
		name = `${name}`;
		value = `${value}`;
		validateName(name);
		validateValue(value);
		const key = find(this[MAP], name);
		this[MAP][key !== undefined ? key : name] = [value];
	}

	/**
  * Append a value onto existing header
  *
  * @param   String  name   Header name
  * @param   String  value  Header value
  * @return  Void
  */
	append(name, value) {
		name = `${name}`;
		value = `${value}`;
		validateName(name);
		validateValue(value);
		const key = find(this[MAP], name);
		if (key !== undefined) {
			this[MAP][key].push(value);
		} else {
			this[MAP][name] = [value];
		}
	}

	/**
  * Check for header name existence
  *
  * @param   String   name  Header name
  * @return  Boolean
  */
	has(name) {
		name = `${name}`;
		validateName(name);
		return find(this[MAP], name) !== undefined;
	}

	/**
  * Delete all header values given name
  *
  * @param   String  name  Header name
  * @return  Void
  */
	delete(name) {
		name = `${name}`;
		validateName(name);
		const key = find(this[MAP], name);
		if (key !== undefined) {
			delete this[MAP][key];
		}
	}

	/**
  * Return raw headers (non-spec api)
  *
  * @return  Object
  */
	raw() {
		return this[MAP];
	}

	/**
  * Get an iterator on keys.
  *
  * @return  Iterator
  */
	keys() {
		return createHeadersIterator(this, 'key');
	}

	/**
  * Get an iterator on values.
  *
  * @return  Iterator
  */
	values() {
		return createHeadersIterator(this, 'value');
	}

	/**
  * Get an iterator on entries.
  *
  * This is the default iterator of the Headers object.
  *
  * @return  Iterator
  */
	[Symbol.iterator]() {
		return createHeadersIterator(this, 'key+value');
	}
}
Headers.prototype.entries = Headers.prototype[Symbol.iterator];

Object.defineProperty(Headers.prototype, Symbol.toStringTag, {
	value: 'Headers',
	writable: false,
	enumerable: false,
	configurable: true
});

Object.defineProperties(Headers.prototype, {
	get: { enumerable: true },
	forEach: { enumerable: true },
	set: { enumerable: true },
	append: { enumerable: true },
	has: { enumerable: true },
	delete: { enumerable: true },
	keys: { enumerable: true },
	values: { enumerable: true },
	entries: { enumerable: true }
});

function getHeaders(headers) {
	let kind = arguments.length > 1 && arguments[1] !== undefined ? arguments[1] : 'key+value';

	const keys = Object.keys(headers[MAP]).sort();
	return keys.map(kind === 'key' ? function (k) {
		return k.toLowerCase();
	} : kind === 'value' ? function (k) {
		return headers[MAP][k].join(', ');
	} : function (k) {
		return [k.toLowerCase(), headers[MAP][k].join(', ')];
	});
}

const INTERNAL = Symbol('internal');

function createHeadersIterator(target, kind) {
	const iterator = Object.create(HeadersIteratorPrototype);
	iterator[INTERNAL] = {
		target,
		kind,
		index: 0
	};
	return iterator;
}

const HeadersIteratorPrototype = Object.setPrototypeOf({
	next() {
		// istanbul ignore if
		if (!this || Object.getPrototypeOf(this) !== HeadersIteratorPrototype) {
			throw new TypeError('Value of `this` is not a HeadersIterator');
		}

		var _INTERNAL = this[INTERNAL];
		const target = _INTERNAL.target,
		      kind = _INTERNAL.kind,
		      index = _INTERNAL.index;

		const values = getHeaders(target, kind);
		const len = values.length;
		if (index >= len) {
			return {
				value: undefined,
				done: true
			};
		}

		this[INTERNAL].index = index + 1;

		return {
			value: values[index],
			done: false
		};
	}
}, Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())));

Object.defineProperty(HeadersIteratorPrototype, Symbol.toStringTag, {
	value: 'HeadersIterator',
	writable: false,
	enumerable: false,
	configurable: true
});

/**
 * Export the Headers object in a form that Node.js can consume.
 *
 * @param   Headers  headers
 * @return  Object
 */
function exportNodeCompatibleHeaders(headers) {
	const obj = Object.assign({ __proto__: null }, headers[MAP]);

	// http.request() only supports string as Host header. This hack makes
	// specifying custom Host header possible.
	const hostHeaderKey = find(headers[MAP], 'Host');
	if (hostHeaderKey !== undefined) {
		obj[hostHeaderKey] = obj[hostHeaderKey][0];
	}

	return obj;
}

/**
 * Create a Headers object from an object of headers, ignoring those that do
 * not conform to HTTP grammar productions.
 *
 * @param   Object  obj  Object of headers
 * @return  Headers
 */
function createHeadersLenient(obj) {
	const headers = new Headers();
	for (const name of Object.keys(obj)) {
		if (invalidTokenRegex.test(name)) {
			continue;
		}
		if (Array.isArray(obj[name])) {
			for (const val of obj[name]) {
				if (invalidHeaderCharRegex.test(val)) {
					continue;
				}
				if (headers[MAP][name] === undefined) {
					headers[MAP][name] = [val];
				} else {
					headers[MAP][name].push(val);
				}
			}
		} else if (!invalidHeaderCharRegex.test(obj[name])) {
			headers[MAP][name] = [obj[name]];
		}
	}
	return headers;
}

const INTERNALS$1 = Symbol('Response internals');

// fix an issue where "STATUS_CODES" aren't a named export for node <10
const STATUS_CODES = http.STATUS_CODES;

/**
 * Response class
 *
 * @param   Stream  body  Readable stream
 * @param   Object  opts  Response options
 * @return  Void
 */
class Response {
	constructor() {
		let body = arguments.length > 0 && arguments[0] !== undefined ? arguments[0] : null;
		let opts = arguments.length > 1 && arguments[1] !== undefined ? arguments[1] : {};

		Body.call(this, body, opts);

		const status = opts.status || 200;
		const headers = new Headers(opts.headers);

		if (body != null && !headers.has('Content-Type')) {
			const contentType = extractContentType(body);
			if (contentType) {
				headers.append('Content-Type', contentType);
			}
		}

		this[INTERNALS$1] = {
			url: opts.url,
			status,
			statusText: opts.statusText || STATUS_CODES[status],
			headers,
			counter: opts.counter
		};
	}

	get url() {
		return this[INTERNALS$1].url || '';
	}

	get status() {
		return this[INTERNALS$1].status;
	}

	/**
  * Convenience property representing if the request ended normally
  */
	get ok() {
		return this[INTERNALS$1].status >= 200 && this[INTERNALS$1].status < 300;
	}

	get redirected() {
		return this[INTERNALS$1].counter > 0;
	}

	get statusText() {
		return this[INTERNALS$1].statusText;
	}

	get headers() {
		return this[INTERNALS$1].headers;
	}

	/**
  * Clone this response
  *
  * @return  Response
  */
	clone() {
		return new Response(clone(this), {
			url: this.url,
			status: this.status,
			statusText: this.statusText,
			headers: this.headers,
			ok: this.ok,
			redirected: this.redirected
		});
	}
}

Body.mixIn(Response.prototype);

Object.defineProperties(Response.prototype, {
	url: { enumerable: true },
	status: { enumerable: true },
	ok: { enumerable: true },
	redirected: { enumerable: true },
	statusText: { enumerable: true },
	headers: { enumerable: true },
	clone: { enumerable: true }
});

Object.defineProperty(Response.prototype, Symbol.toStringTag, {
	value: 'Response',
	writable: false,
	enumerable: false,
	configurable: true
});

const INTERNALS$2 = Symbol('Request internals');
const URL = Url.URL || whatwgUrl.URL;

// fix an issue where "format", "parse" aren't a named export for node <10
const parse_url = Url.parse;
const format_url = Url.format;

/**
 * Wrapper around `new URL` to handle arbitrary URLs
 *
 * @param  {string} urlStr
 * @return {void}
 */
function parseURL(urlStr) {
	/*
 	Check whether the URL is absolute or not
 		Scheme: https://tools.ietf.org/html/rfc3986#section-3.1
 	Absolute URL: https://tools.ietf.org/html/rfc3986#section-4.3
 */
	if (/^[a-zA-Z][a-zA-Z\d+\-.]*:/.exec(urlStr)) {
		urlStr = new URL(urlStr).toString();
	}

	// Fallback to old implementation for arbitrary URLs
	return parse_url(urlStr);
}

const streamDestructionSupported = 'destroy' in Stream.Readable.prototype;

/**
 * Check if a value is an instance of Request.
 *
 * @param   Mixed   input
 * @return  Boolean
 */
function isRequest(input) {
	return typeof input === 'object' && typeof input[INTERNALS$2] === 'object';
}

function isAbortSignal(signal) {
	const proto = signal && typeof signal === 'object' && Object.getPrototypeOf(signal);
	return !!(proto && proto.constructor.name === 'AbortSignal');
}

/**
 * Request class
 *
 * @param   Mixed   input  Url or Request instance
 * @param   Object  init   Custom options
 * @return  Void
 */
class Request {
	constructor(input) {
		let init = arguments.length > 1 && arguments[1] !== undefined ? arguments[1] : {};

		let parsedURL;

		// normalize input
		if (!isRequest(input)) {
			if (input && input.href) {
				// in order to support Node.js' Url objects; though WHATWG's URL objects
				// will fall into this branch also (since their `toString()` will return
				// `href` property anyway)
				parsedURL = parseURL(input.href);
			} else {
				// coerce input to a string before attempting to parse
				parsedURL = parseURL(`${input}`);
			}
			input = {};
		} else {
			parsedURL = parseURL(input.url);
		}

		let method = init.method || input.method || 'GET';
		method = method.toUpperCase();

		if ((init.body != null || isRequest(input) && input.body !== null) && (method === 'GET' || method === 'HEAD')) {
			throw new TypeError('Request with GET/HEAD method cannot have body');
		}

		let inputBody = init.body != null ? init.body : isRequest(input) && input.body !== null ? clone(input) : null;

		Body.call(this, inputBody, {
			timeout: init.timeout || input.timeout || 0,
			size: init.size || input.size || 0
		});

		const headers = new Headers(init.headers || input.headers || {});

		if (inputBody != null && !headers.has('Content-Type')) {
			const contentType = extractContentType(inputBody);
			if (contentType) {
				headers.append('Content-Type', contentType);
			}
		}

		let signal = isRequest(input) ? input.signal : null;
		if ('signal' in init) signal = init.signal;

		if (signal != null && !isAbortSignal(signal)) {
			throw new TypeError('Expected signal to be an instanceof AbortSignal');
		}

		this[INTERNALS$2] = {
			method,
			redirect: init.redirect || input.redirect || 'follow',
			headers,
			parsedURL,
			signal
		};

		// node-fetch-only options
		this.follow = init.follow !== undefined ? init.follow : input.follow !== undefined ? input.follow : 20;
		this.compress = init.compress !== undefined ? init.compress : input.compress !== undefined ? input.compress : true;
		this.counter = init.counter || input.counter || 0;
		this.agent = init.agent || input.agent;
	}

	get method() {
		return this[INTERNALS$2].method;
	}

	get url() {
		return format_url(this[INTERNALS$2].parsedURL);
	}

	get headers() {
		return this[INTERNALS$2].headers;
	}

	get redirect() {
		return this[INTERNALS$2].redirect;
	}

	get signal() {
		return this[INTERNALS$2].signal;
	}

	/**
  * Clone this request
  *
  * @return  Request
  */
	clone() {
		return new Request(this);
	}
}

Body.mixIn(Request.prototype);

Object.defineProperty(Request.prototype, Symbol.toStringTag, {
	value: 'Request',
	writable: false,
	enumerable: false,
	configurable: true
});

Object.defineProperties(Request.prototype, {
	method: { enumerable: true },
	url: { enumerable: true },
	headers: { enumerable: true },
	redirect: { enumerable: true },
	clone: { enumerable: true },
	signal: { enumerable: true }
});

/**
 * Convert a Request to Node.js http request options.
 *
 * @param   Request  A Request instance
 * @return  Object   The options object to be passed to http.request
 */
function getNodeRequestOptions(request) {
	const parsedURL = request[INTERNALS$2].parsedURL;
	const headers = new Headers(request[INTERNALS$2].headers);

	// fetch step 1.3
	if (!headers.has('Accept')) {
		headers.set('Accept', '*/*');
	}

	// Basic fetch
	if (!parsedURL.protocol || !parsedURL.hostname) {
		throw new TypeError('Only absolute URLs are supported');
	}

	if (!/^https?:$/.test(parsedURL.protocol)) {
		throw new TypeError('Only HTTP(S) protocols are supported');
	}

	if (request.signal && request.body instanceof Stream.Readable && !streamDestructionSupported) {
		throw new Error('Cancellation of streamed requests with AbortSignal is not supported in node < 8');
	}

	// HTTP-network-or-cache fetch steps 2.4-2.7
	let contentLengthValue = null;
	if (request.body == null && /^(POST|PUT)$/i.test(request.method)) {
		contentLengthValue = '0';
	}
	if (request.body != null) {
		const totalBytes = getTotalBytes(request);
		if (typeof totalBytes === 'number') {
			contentLengthValue = String(totalBytes);
		}
	}
	if (contentLengthValue) {
		headers.set('Content-Length', contentLengthValue);
	}

	// HTTP-network-or-cache fetch step 2.11
	if (!headers.has('User-Agent')) {
		headers.set('User-Agent', 'node-fetch/1.0 (+https://github.com/bitinn/node-fetch)');
	}

	// HTTP-network-or-cache fetch step 2.15
	if (request.compress && !headers.has('Accept-Encoding')) {
		headers.set('Accept-Encoding', 'gzip,deflate');
	}

	let agent = request.agent;
	if (typeof agent === 'function') {
		agent = agent(parsedURL);
	}

	// HTTP-network fetch step 4.2
	// chunked encoding is handled by Node.js

	return Object.assign({}, parsedURL, {
		method: request.method,
		headers: exportNodeCompatibleHeaders(headers),
		agent
	});
}

/**
 * abort-error.js
 *
 * AbortError interface for cancelled requests
 */

/**
 * Create AbortError instance
 *
 * @param   String      message      Error message for human
 * @return  AbortError
 */
function AbortError(message) {
  Error.call(this, message);

  this.type = 'aborted';
  this.message = message;

  // hide custom error implementation details from end-users
  Error.captureStackTrace(this, this.constructor);
}

AbortError.prototype = Object.create(Error.prototype);
AbortError.prototype.constructor = AbortError;
AbortError.prototype.name = 'AbortError';

const URL$1 = Url.URL || whatwgUrl.URL;

// fix an issue where "PassThrough", "resolve" aren't a named export for node <10
const PassThrough$1 = Stream.PassThrough;

const isDomainOrSubdomain = function isDomainOrSubdomain(destination, original) {
	const orig = new URL$1(original).hostname;
	const dest = new URL$1(destination).hostname;

	return orig === dest || orig[orig.length - dest.length - 1] === '.' && orig.endsWith(dest);
};

/**
 * isSameProtocol reports whether the two provided URLs use the same protocol.
 *
 * Both domains must already be in canonical form.
 * @param {string|URL} original
 * @param {string|URL} destination
 */
const isSameProtocol = function isSameProtocol(destination, original) {
	const orig = new URL$1(original).protocol;
	const dest = new URL$1(destination).protocol;

	return orig === dest;
};

/**
 * Fetch function
 *
 * @param   Mixed    url   Absolute url or Request instance
 * @param   Object   opts  Fetch options
 * @return  Promise
 */
function fetch(url, opts) {

	// allow custom promise
	if (!fetch.Promise) {
		throw new Error('native promise missing, set fetch.Promise to your favorite alternative');
	}

	Body.Promise = fetch.Promise;

	// wrap http.request into fetch
	return new fetch.Promise(function (resolve, reject) {
		// build request object
		const request = new Request(url, opts);
		const options = getNodeRequestOptions(request);

		const send = (options.protocol === 'https:' ? https : http).request;
		const signal = request.signal;

		let response = null;

		const abort = function abort() {
			let error = new AbortError('The user aborted a request.');
			reject(error);
			if (request.body && request.body instanceof Stream.Readable) {
				destroyStream(request.body, error);
			}
			if (!response || !response.body) return;
			response.body.emit('error', error);
		};

		if (signal && signal.aborted) {
			abort();
			return;
		}

		const abortAndFinalize = function abortAndFinalize() {
			abort();
			finalize();
		};

		// send request
		const req = send(options);
		let reqTimeout;

		if (signal) {
			signal.addEventListener('abort', abortAndFinalize);
		}

		function finalize() {
			req.abort();
			if (signal) signal.removeEventListener('abort', abortAndFinalize);
			clearTimeout(reqTimeout);
		}

		if (request.timeout) {
			req.once('socket', function (socket) {
				reqTimeout = setTimeout(function () {
					reject(new FetchError(`network timeout at: ${request.url}`, 'request-timeout'));
					finalize();
				}, request.timeout);
			});
		}

		req.on('error', function (err) {
			reject(new FetchError(`request to ${request.url} failed, reason: ${err.message}`, 'system', err));

			if (response && response.body) {
				destroyStream(response.body, err);
			}

			finalize();
		});

		fixResponseChunkedTransferBadEnding(req, function (err) {
			if (signal && signal.aborted) {
				return;
			}

			if (response && response.body) {
				destroyStream(response.body, err);
			}
		});

		/* c8 ignore next 18 */
		if (parseInt(process.version.substring(1)) < 14) {
			// Before Node.js 14, pipeline() does not fully support async iterators and does not always
			// properly handle when the socket close/end events are out of order.
			req.on('socket', function (s) {
				s.addListener('close', function (hadError) {
					// if a data listener is still present we didn't end cleanly
					const hasDataListener = s.listenerCount('data') > 0;

					// if end happened before close but the socket didn't emit an error, do it now
					if (response && hasDataListener && !hadError && !(signal && signal.aborted)) {
						const err = new Error('Premature close');
						err.code = 'ERR_STREAM_PREMATURE_CLOSE';
						response.body.emit('error', err);
					}
				});
			});
		}

		req.on('response', function (res) {
			clearTimeout(reqTimeout);

			const headers = createHeadersLenient(res.headers);

			// HTTP fetch step 5
			if (fetch.isRedirect(res.statusCode)) {
				// HTTP fetch step 5.2
				const location = headers.get('Location');

				// HTTP fetch step 5.3
				let locationURL = null;
				try {
					locationURL = location === null ? null : new URL$1(location, request.url).toString();
				} catch (err) {
					// error here can only be invalid URL in Location: header
					// do not throw when options.redirect == manual
					// let the user extract the errorneous redirect URL
					if (request.redirect !== 'manual') {
						reject(new FetchError(`uri requested responds with an invalid redirect URL: ${location}`, 'invalid-redirect'));
						finalize();
						return;
					}
				}

				// HTTP fetch step 5.5
				switch (request.redirect) {
					case 'error':
						reject(new FetchError(`uri requested responds with a redirect, redirect mode is set to error: ${request.url}`, 'no-redirect'));
						finalize();
						return;
					case 'manual':
						// node-fetch-specific step: make manual redirect a bit easier to use by setting the Location header value to the resolved URL.
						if (locationURL !== null) {
							// handle corrupted header
							try {
								headers.set('Location', locationURL);
							} catch (err) {
								// istanbul ignore next: nodejs server prevent invalid response headers, we can't test this through normal request
								reject(err);
							}
						}
						break;
					case 'follow':
						// HTTP-redirect fetch step 2
						if (locationURL === null) {
							break;
						}

						// HTTP-redirect fetch step 5
						if (request.counter >= request.follow) {
							reject(new FetchError(`maximum redirect reached at: ${request.url}`, 'max-redirect'));
							finalize();
							return;
						}

						// HTTP-redirect fetch step 6 (counter increment)
						// Create a new Request object.
						const requestOpts = {
							headers: new Headers(request.headers),
							follow: request.follow,
							counter: request.counter + 1,
							agent: request.agent,
							compress: request.compress,
							method: request.method,
							body: request.body,
							signal: request.signal,
							timeout: request.timeout,
							size: request.size
						};

						if (!isDomainOrSubdomain(request.url, locationURL) || !isSameProtocol(request.url, locationURL)) {
							for (const name of ['authorization', 'www-authenticate', 'cookie', 'cookie2']) {
								requestOpts.headers.delete(name);
							}
						}

						// HTTP-redirect fetch step 9
						if (res.statusCode !== 303 && request.body && getTotalBytes(request) === null) {
							reject(new FetchError('Cannot follow redirect with body being a readable stream', 'unsupported-redirect'));
							finalize();
							return;
						}

						// HTTP-redirect fetch step 11
						if (res.statusCode === 303 || (res.statusCode === 301 || res.statusCode === 302) && request.method === 'POST') {
							requestOpts.method = 'GET';
							requestOpts.body = undefined;
							requestOpts.headers.delete('content-length');
						}

						// HTTP-redirect fetch step 15
						resolve(fetch(new Request(locationURL, requestOpts)));
						finalize();
						return;
				}
			}

			// prepare response
			res.once('end', function () {
				if (signal) signal.removeEventListener('abort', abortAndFinalize);
			});
			let body = res.pipe(new PassThrough$1());

			const response_options = {
				url: request.url,
				status: res.statusCode,
				statusText: res.statusMessage,
				headers: headers,
				size: request.size,
				timeout: request.timeout,
				counter: request.counter
			};

			// HTTP-network fetch step 12.1.1.3
			const codings = headers.get('Content-Encoding');

			// HTTP-network fetch step 12.1.1.4: handle content codings

			// in following scenarios we ignore compression support
			// 1. compression support is disabled
			// 2. HEAD request
			// 3. no Content-Encoding header
			// 4. no content response (204)
			// 5. content not modified response (304)
			if (!request.compress || request.method === 'HEAD' || codings === null || res.statusCode === 204 || res.statusCode === 304) {
				response = new Response(body, response_options);
				resolve(response);
				return;
			}

			// For Node v6+
			// Be less strict when decoding compressed responses, since sometimes
			// servers send slightly invalid responses that are still accepted
			// by common browsers.
			// Always using Z_SYNC_FLUSH is what cURL does.
			const zlibOptions = {
				flush: zlib.Z_SYNC_FLUSH,
				finishFlush: zlib.Z_SYNC_FLUSH
			};

			// for gzip
			if (codings == 'gzip' || codings == 'x-gzip') {
				body = body.pipe(zlib.createGunzip(zlibOptions));
				response = new Response(body, response_options);
				resolve(response);
				return;
			}

			// for deflate
			if (codings == 'deflate' || codings == 'x-deflate') {
				// handle the infamous raw deflate response from old servers
				// a hack for old IIS and Apache servers
				const raw = res.pipe(new PassThrough$1());
				raw.once('data', function (chunk) {
					// see http://stackoverflow.com/questions/37519828
					if ((chunk[0] & 0x0F) === 0x08) {
						body = body.pipe(zlib.createInflate());
					} else {
						body = body.pipe(zlib.createInflateRaw());
					}
					response = new Response(body, response_options);
					resolve(response);
				});
				raw.on('end', function () {
					// some old IIS servers return zero-length OK deflate responses, so 'data' is never emitted.
					if (!response) {
						response = new Response(body, response_options);
						resolve(response);
					}
				});
				return;
			}

			// for br
			if (codings == 'br' && typeof zlib.createBrotliDecompress === 'function') {
				body = body.pipe(zlib.createBrotliDecompress());
				response = new Response(body, response_options);
				resolve(response);
				return;
			}

			// otherwise, use response as-is
			response = new Response(body, response_options);
			resolve(response);
		});

		writeToStream(req, request);
	});
}
function fixResponseChunkedTransferBadEnding(request, errorCallback) {
	let socket;

	request.on('socket', function (s) {
		socket = s;
	});

	request.on('response', function (response) {
		const headers = response.headers;

		if (headers['transfer-encoding'] === 'chunked' && !headers['content-length']) {
			response.once('close', function (hadError) {
				// tests for socket presence, as in some situations the
				// the 'socket' event is not triggered for the request
				// (happens in deno), avoids `TypeError`
				// if a data listener is still present we didn't end cleanly
				const hasDataListener = socket && socket.listenerCount('data') > 0;

				if (hasDataListener && !hadError) {
					const err = new Error('Premature close');
					err.code = 'ERR_STREAM_PREMATURE_CLOSE';
					errorCallback(err);
				}
			});
		}
	});
}

function destroyStream(stream, err) {
	if (stream.destroy) {
		stream.destroy(err);
	} else {
		// node < 8
		stream.emit('error', err);
		stream.end();
	}
}

/**
 * Redirect code matching
 *
 * @param   Number   code  Status code
 * @return  Boolean
 */
fetch.isRedirect = function (code) {
	return code === 301 || code === 302 || code === 303 || code === 307 || code === 308;
};

// expose Promise
fetch.Promise = global.Promise;

module.exports = exports = fetch;
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports["default"] = exports;
exports.Headers = Headers;
exports.Request = Request;
exports.Response = Response;
exports.FetchError = FetchError;
exports.AbortError = AbortError;


/***/ }),

/***/ 9800:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

var __webpack_unused_export__;

__webpack_unused_export__ = ({ value: true });
exports.wT = __webpack_unused_export__ = void 0;
const ed5 = __nccwpck_require__(6950);
const ed2 = __nccwpck_require__(4488);
const NSed3 = __nccwpck_require__(5699);
var isS = ed5.isS;
var isChar10 = ed5.isChar;
var isNameStartChar = ed5.isNameStartChar;
var isNameChar = ed5.isNameChar;
var S_LIST = ed5.S_LIST;
var NAME_RE = ed5.NAME_RE;
var isChar11 = ed2.isChar;
var isNCNameStartChar = NSed3.isNCNameStartChar;
var isNCNameChar = NSed3.isNCNameChar;
var NC_NAME_RE = NSed3.NC_NAME_RE;
const XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace";
const XMLNS_NAMESPACE = "http://www.w3.org/2000/xmlns/";
const rootNS = {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment
    __proto__: null,
    xml: XML_NAMESPACE,
    xmlns: XMLNS_NAMESPACE,
};
const XML_ENTITIES = {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment
    __proto__: null,
    amp: "&",
    gt: ">",
    lt: "<",
    quot: "\"",
    apos: "'",
};
// EOC: end-of-chunk
const EOC = -1;
const NL_LIKE = -2;
const S_BEGIN = 0; // Initial state.
const S_BEGIN_WHITESPACE = 1; // leading whitespace
const S_DOCTYPE = 2; // <!DOCTYPE
const S_DOCTYPE_QUOTE = 3; // <!DOCTYPE "//blah
const S_DTD = 4; // <!DOCTYPE "//blah" [ ...
const S_DTD_QUOTED = 5; // <!DOCTYPE "//blah" [ "foo
const S_DTD_OPEN_WAKA = 6;
const S_DTD_OPEN_WAKA_BANG = 7;
const S_DTD_COMMENT = 8; // <!--
const S_DTD_COMMENT_ENDING = 9; // <!-- blah -
const S_DTD_COMMENT_ENDED = 10; // <!-- blah --
const S_DTD_PI = 11; // <?
const S_DTD_PI_ENDING = 12; // <?hi "there" ?
const S_TEXT = 13; // general stuff
const S_ENTITY = 14; // &amp and such
const S_OPEN_WAKA = 15; // <
const S_OPEN_WAKA_BANG = 16; // <!...
const S_COMMENT = 17; // <!--
const S_COMMENT_ENDING = 18; // <!-- blah -
const S_COMMENT_ENDED = 19; // <!-- blah --
const S_CDATA = 20; // <![CDATA[ something
const S_CDATA_ENDING = 21; // ]
const S_CDATA_ENDING_2 = 22; // ]]
const S_PI_FIRST_CHAR = 23; // <?hi, first char
const S_PI_REST = 24; // <?hi, rest of the name
const S_PI_BODY = 25; // <?hi there
const S_PI_ENDING = 26; // <?hi "there" ?
const S_XML_DECL_NAME_START = 27; // <?xml
const S_XML_DECL_NAME = 28; // <?xml foo
const S_XML_DECL_EQ = 29; // <?xml foo=
const S_XML_DECL_VALUE_START = 30; // <?xml foo=
const S_XML_DECL_VALUE = 31; // <?xml foo="bar"
const S_XML_DECL_SEPARATOR = 32; // <?xml foo="bar"
const S_XML_DECL_ENDING = 33; // <?xml ... ?
const S_OPEN_TAG = 34; // <strong
const S_OPEN_TAG_SLASH = 35; // <strong /
const S_ATTRIB = 36; // <a
const S_ATTRIB_NAME = 37; // <a foo
const S_ATTRIB_NAME_SAW_WHITE = 38; // <a foo _
const S_ATTRIB_VALUE = 39; // <a foo=
const S_ATTRIB_VALUE_QUOTED = 40; // <a foo="bar
const S_ATTRIB_VALUE_CLOSED = 41; // <a foo="bar"
const S_ATTRIB_VALUE_UNQUOTED = 42; // <a foo=bar
const S_CLOSE_TAG = 43; // </a
const S_CLOSE_TAG_SAW_WHITE = 44; // </a   >
const TAB = 9;
const NL = 0xA;
const CR = 0xD;
const SPACE = 0x20;
const BANG = 0x21;
const DQUOTE = 0x22;
const AMP = 0x26;
const SQUOTE = 0x27;
const MINUS = 0x2D;
const FORWARD_SLASH = 0x2F;
const SEMICOLON = 0x3B;
const LESS = 0x3C;
const EQUAL = 0x3D;
const GREATER = 0x3E;
const QUESTION = 0x3F;
const OPEN_BRACKET = 0x5B;
const CLOSE_BRACKET = 0x5D;
const NEL = 0x85;
const LS = 0x2028; // Line Separator
const isQuote = (c) => c === DQUOTE || c === SQUOTE;
const QUOTES = [DQUOTE, SQUOTE];
const DOCTYPE_TERMINATOR = [...QUOTES, OPEN_BRACKET, GREATER];
const DTD_TERMINATOR = [...QUOTES, LESS, CLOSE_BRACKET];
const XML_DECL_NAME_TERMINATOR = [EQUAL, QUESTION, ...S_LIST];
const ATTRIB_VALUE_UNQUOTED_TERMINATOR = [...S_LIST, GREATER, AMP, LESS];
function nsPairCheck(parser, prefix, uri) {
    switch (prefix) {
        case "xml":
            if (uri !== XML_NAMESPACE) {
                parser.fail(`xml prefix must be bound to ${XML_NAMESPACE}.`);
            }
            break;
        case "xmlns":
            if (uri !== XMLNS_NAMESPACE) {
                parser.fail(`xmlns prefix must be bound to ${XMLNS_NAMESPACE}.`);
            }
            break;
        default:
    }
    switch (uri) {
        case XMLNS_NAMESPACE:
            parser.fail(prefix === "" ?
                `the default namespace may not be set to ${uri}.` :
                `may not assign a prefix (even "xmlns") to the URI \
${XMLNS_NAMESPACE}.`);
            break;
        case XML_NAMESPACE:
            switch (prefix) {
                case "xml":
                    // Assinging the XML namespace to "xml" is fine.
                    break;
                case "":
                    parser.fail(`the default namespace may not be set to ${uri}.`);
                    break;
                default:
                    parser.fail("may not assign the xml namespace to another prefix.");
            }
            break;
        default:
    }
}
function nsMappingCheck(parser, mapping) {
    for (const local of Object.keys(mapping)) {
        nsPairCheck(parser, local, mapping[local]);
    }
}
const isNCName = (name) => NC_NAME_RE.test(name);
const isName = (name) => NAME_RE.test(name);
const FORBIDDEN_START = 0;
const FORBIDDEN_BRACKET = 1;
const FORBIDDEN_BRACKET_BRACKET = 2;
/**
 * The list of supported events.
 */
__webpack_unused_export__ = [
    "xmldecl",
    "text",
    "processinginstruction",
    "doctype",
    "comment",
    "opentagstart",
    "attribute",
    "opentag",
    "closetag",
    "cdata",
    "error",
    "end",
    "ready",
];
const EVENT_NAME_TO_HANDLER_NAME = {
    xmldecl: "xmldeclHandler",
    text: "textHandler",
    processinginstruction: "piHandler",
    doctype: "doctypeHandler",
    comment: "commentHandler",
    opentagstart: "openTagStartHandler",
    attribute: "attributeHandler",
    opentag: "openTagHandler",
    closetag: "closeTagHandler",
    cdata: "cdataHandler",
    error: "errorHandler",
    end: "endHandler",
    ready: "readyHandler",
};
// eslint-disable-next-line @typescript-eslint/ban-types
class SaxesParser {
    /**
     * @param opt The parser options.
     */
    constructor(opt) {
        this.opt = opt !== null && opt !== void 0 ? opt : {};
        this.fragmentOpt = !!this.opt.fragment;
        const xmlnsOpt = this.xmlnsOpt = !!this.opt.xmlns;
        this.trackPosition = this.opt.position !== false;
        this.fileName = this.opt.fileName;
        if (xmlnsOpt) {
            // This is the function we use to perform name checks on PIs and entities.
            // When namespaces are used, colons are not allowed in PI target names or
            // entity names. So the check depends on whether namespaces are used. See:
            //
            // https://www.w3.org/XML/xml-names-19990114-errata.html
            // NE08
            //
            this.nameStartCheck = isNCNameStartChar;
            this.nameCheck = isNCNameChar;
            this.isName = isNCName;
            // eslint-disable-next-line @typescript-eslint/unbound-method
            this.processAttribs = this.processAttribsNS;
            // eslint-disable-next-line @typescript-eslint/unbound-method
            this.pushAttrib = this.pushAttribNS;
            // eslint-disable-next-line @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment
            this.ns = Object.assign({ __proto__: null }, rootNS);
            const additional = this.opt.additionalNamespaces;
            if (additional != null) {
                nsMappingCheck(this, additional);
                Object.assign(this.ns, additional);
            }
        }
        else {
            this.nameStartCheck = isNameStartChar;
            this.nameCheck = isNameChar;
            this.isName = isName;
            // eslint-disable-next-line @typescript-eslint/unbound-method
            this.processAttribs = this.processAttribsPlain;
            // eslint-disable-next-line @typescript-eslint/unbound-method
            this.pushAttrib = this.pushAttribPlain;
        }
        //
        // The order of the members in this table needs to correspond to the state
        // numbers given to the states that correspond to the methods being recorded
        // here.
        //
        this.stateTable = [
            /* eslint-disable @typescript-eslint/unbound-method */
            this.sBegin,
            this.sBeginWhitespace,
            this.sDoctype,
            this.sDoctypeQuote,
            this.sDTD,
            this.sDTDQuoted,
            this.sDTDOpenWaka,
            this.sDTDOpenWakaBang,
            this.sDTDComment,
            this.sDTDCommentEnding,
            this.sDTDCommentEnded,
            this.sDTDPI,
            this.sDTDPIEnding,
            this.sText,
            this.sEntity,
            this.sOpenWaka,
            this.sOpenWakaBang,
            this.sComment,
            this.sCommentEnding,
            this.sCommentEnded,
            this.sCData,
            this.sCDataEnding,
            this.sCDataEnding2,
            this.sPIFirstChar,
            this.sPIRest,
            this.sPIBody,
            this.sPIEnding,
            this.sXMLDeclNameStart,
            this.sXMLDeclName,
            this.sXMLDeclEq,
            this.sXMLDeclValueStart,
            this.sXMLDeclValue,
            this.sXMLDeclSeparator,
            this.sXMLDeclEnding,
            this.sOpenTag,
            this.sOpenTagSlash,
            this.sAttrib,
            this.sAttribName,
            this.sAttribNameSawWhite,
            this.sAttribValue,
            this.sAttribValueQuoted,
            this.sAttribValueClosed,
            this.sAttribValueUnquoted,
            this.sCloseTag,
            this.sCloseTagSawWhite,
            /* eslint-enable @typescript-eslint/unbound-method */
        ];
        this._init();
    }
    /**
     * Indicates whether or not the parser is closed. If ``true``, wait for
     * the ``ready`` event to write again.
     */
    get closed() {
        return this._closed;
    }
    _init() {
        var _a;
        this.openWakaBang = "";
        this.text = "";
        this.name = "";
        this.piTarget = "";
        this.entity = "";
        this.q = null;
        this.tags = [];
        this.tag = null;
        this.topNS = null;
        this.chunk = "";
        this.chunkPosition = 0;
        this.i = 0;
        this.prevI = 0;
        this.carriedFromPrevious = undefined;
        this.forbiddenState = FORBIDDEN_START;
        this.attribList = [];
        // The logic is organized so as to minimize the need to check
        // this.opt.fragment while parsing.
        const { fragmentOpt } = this;
        this.state = fragmentOpt ? S_TEXT : S_BEGIN;
        // We want these to be all true if we are dealing with a fragment.
        this.reportedTextBeforeRoot = this.reportedTextAfterRoot = this.closedRoot =
            this.sawRoot = fragmentOpt;
        // An XML declaration is intially possible only when parsing whole
        // documents.
        this.xmlDeclPossible = !fragmentOpt;
        this.xmlDeclExpects = ["version"];
        this.entityReturnState = undefined;
        let { defaultXMLVersion } = this.opt;
        if (defaultXMLVersion === undefined) {
            if (this.opt.forceXMLVersion === true) {
                throw new Error("forceXMLVersion set but defaultXMLVersion is not set");
            }
            defaultXMLVersion = "1.0";
        }
        this.setXMLVersion(defaultXMLVersion);
        this.positionAtNewLine = 0;
        this.doctype = false;
        this._closed = false;
        this.xmlDecl = {
            version: undefined,
            encoding: undefined,
            standalone: undefined,
        };
        this.line = 1;
        this.column = 0;
        this.ENTITIES = Object.create(XML_ENTITIES);
        (_a = this.readyHandler) === null || _a === void 0 ? void 0 : _a.call(this);
    }
    /**
     * The stream position the parser is currently looking at. This field is
     * zero-based.
     *
     * This field is not based on counting Unicode characters but is to be
     * interpreted as a plain index into a JavaScript string.
     */
    get position() {
        return this.chunkPosition + this.i;
    }
    /**
     * The column number of the next character to be read by the parser.  *
     * This field is zero-based. (The first column in a line is 0.)
     *
     * This field reports the index at which the next character would be in the
     * line if the line were represented as a JavaScript string.  Note that this
     * *can* be different to a count based on the number of *Unicode characters*
     * due to how JavaScript handles astral plane characters.
     *
     * See [[column]] for a number that corresponds to a count of Unicode
     * characters.
     */
    get columnIndex() {
        return this.position - this.positionAtNewLine;
    }
    /**
     * Set an event listener on an event. The parser supports one handler per
     * event type. If you try to set an event handler over an existing handler,
     * the old handler is silently overwritten.
     *
     * @param name The event to listen to.
     *
     * @param handler The handler to set.
     */
    on(name, handler) {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access
        this[EVENT_NAME_TO_HANDLER_NAME[name]] = handler;
    }
    /**
     * Unset an event handler.
     *
     * @parma name The event to stop listening to.
     */
    off(name) {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access
        this[EVENT_NAME_TO_HANDLER_NAME[name]] = undefined;
    }
    /**
     * Make an error object. The error object will have a message that contains
     * the ``fileName`` option passed at the creation of the parser. If position
     * tracking was turned on, it will also have line and column number
     * information.
     *
     * @param message The message describing the error to report.
     *
     * @returns An error object with a properly formatted message.
     */
    makeError(message) {
        var _a;
        let msg = (_a = this.fileName) !== null && _a !== void 0 ? _a : "";
        if (this.trackPosition) {
            if (msg.length > 0) {
                msg += ":";
            }
            msg += `${this.line}:${this.column}`;
        }
        if (msg.length > 0) {
            msg += ": ";
        }
        return new Error(msg + message);
    }
    /**
     * Report a parsing error. This method is made public so that client code may
     * check for issues that are outside the scope of this project and can report
     * errors.
     *
     * @param message The error to report.
     *
     * @returns this
     */
    fail(message) {
        const err = this.makeError(message);
        const handler = this.errorHandler;
        if (handler === undefined) {
            throw err;
        }
        else {
            handler(err);
        }
        return this;
    }
    /**
     * Write a XML data to the parser.
     *
     * @param chunk The XML data to write.
     *
     * @returns this
     */
    // We do need object for the type here. Yes, it often causes problems
    // but not in this case.
    write(chunk) {
        if (this.closed) {
            return this.fail("cannot write after close; assign an onready handler.");
        }
        let end = false;
        if (chunk === null) {
            // We cannot return immediately because carriedFromPrevious may need
            // processing.
            end = true;
            chunk = "";
        }
        else if (typeof chunk === "object") {
            chunk = chunk.toString();
        }
        // We checked if performing a pre-decomposition of the string into an array
        // of single complete characters (``Array.from(chunk)``) would be faster
        // than the current repeated calls to ``charCodeAt``. As of August 2018, it
        // isn't. (There may be Node-specific code that would perform faster than
        // ``Array.from`` but don't want to be dependent on Node.)
        if (this.carriedFromPrevious !== undefined) {
            // The previous chunk had char we must carry over.
            chunk = `${this.carriedFromPrevious}${chunk}`;
            this.carriedFromPrevious = undefined;
        }
        let limit = chunk.length;
        const lastCode = chunk.charCodeAt(limit - 1);
        if (!end &&
            // A trailing CR or surrogate must be carried over to the next
            // chunk.
            (lastCode === CR || (lastCode >= 0xD800 && lastCode <= 0xDBFF))) {
            // The chunk ends with a character that must be carried over. We cannot
            // know how to handle it until we get the next chunk or the end of the
            // stream. So save it for later.
            this.carriedFromPrevious = chunk[limit - 1];
            limit--;
            chunk = chunk.slice(0, limit);
        }
        const { stateTable } = this;
        this.chunk = chunk;
        this.i = 0;
        while (this.i < limit) {
            // eslint-disable-next-line @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-argument
            stateTable[this.state].call(this);
        }
        this.chunkPosition += limit;
        return end ? this.end() : this;
    }
    /**
     * Close the current stream. Perform final well-formedness checks and reset
     * the parser tstate.
     *
     * @returns this
     */
    close() {
        return this.write(null);
    }
    /**
     * Get a single code point out of the current chunk. This updates the current
     * position if we do position tracking.
     *
     * This is the algorithm to use for XML 1.0.
     *
     * @returns The character read.
     */
    getCode10() {
        const { chunk, i } = this;
        this.prevI = i;
        // Yes, we do this instead of doing this.i++. Doing it this way, we do not
        // read this.i again, which is a bit faster.
        this.i = i + 1;
        if (i >= chunk.length) {
            return EOC;
        }
        // Using charCodeAt and handling the surrogates ourselves is faster
        // than using codePointAt.
        const code = chunk.charCodeAt(i);
        this.column++;
        if (code < 0xD800) {
            if (code >= SPACE || code === TAB) {
                return code;
            }
            switch (code) {
                case NL:
                    this.line++;
                    this.column = 0;
                    this.positionAtNewLine = this.position;
                    return NL;
                case CR:
                    // We may get NaN if we read past the end of the chunk, which is fine.
                    if (chunk.charCodeAt(i + 1) === NL) {
                        // A \r\n sequence is converted to \n so we have to skip over the
                        // next character. We already know it has a size of 1 so ++ is fine
                        // here.
                        this.i = i + 2;
                    }
                    // Otherwise, a \r is just converted to \n, so we don't have to skip
                    // ahead.
                    // In either case, \r becomes \n.
                    this.line++;
                    this.column = 0;
                    this.positionAtNewLine = this.position;
                    return NL_LIKE;
                default:
                    // If we get here, then code < SPACE and it is not NL CR or TAB.
                    this.fail("disallowed character.");
                    return code;
            }
        }
        if (code > 0xDBFF) {
            // This is a specialized version of isChar10 that takes into account
            // that in this context code > 0xDBFF and code <= 0xFFFF. So it does not
            // test cases that don't need testing.
            if (!(code >= 0xE000 && code <= 0xFFFD)) {
                this.fail("disallowed character.");
            }
            return code;
        }
        const final = 0x10000 + ((code - 0xD800) * 0x400) +
            (chunk.charCodeAt(i + 1) - 0xDC00);
        this.i = i + 2;
        // This is a specialized version of isChar10 that takes into account that in
        // this context necessarily final >= 0x10000.
        if (final > 0x10FFFF) {
            this.fail("disallowed character.");
        }
        return final;
    }
    /**
     * Get a single code point out of the current chunk. This updates the current
     * position if we do position tracking.
     *
     * This is the algorithm to use for XML 1.1.
     *
     * @returns {number} The character read.
     */
    getCode11() {
        const { chunk, i } = this;
        this.prevI = i;
        // Yes, we do this instead of doing this.i++. Doing it this way, we do not
        // read this.i again, which is a bit faster.
        this.i = i + 1;
        if (i >= chunk.length) {
            return EOC;
        }
        // Using charCodeAt and handling the surrogates ourselves is faster
        // than using codePointAt.
        const code = chunk.charCodeAt(i);
        this.column++;
        if (code < 0xD800) {
            if ((code > 0x1F && code < 0x7F) || (code > 0x9F && code !== LS) ||
                code === TAB) {
                return code;
            }
            switch (code) {
                case NL: // 0xA
                    this.line++;
                    this.column = 0;
                    this.positionAtNewLine = this.position;
                    return NL;
                case CR: { // 0xD
                    // We may get NaN if we read past the end of the chunk, which is
                    // fine.
                    const next = chunk.charCodeAt(i + 1);
                    if (next === NL || next === NEL) {
                        // A CR NL or CR NEL sequence is converted to NL so we have to skip
                        // over the next character. We already know it has a size of 1.
                        this.i = i + 2;
                    }
                    // Otherwise, a CR is just converted to NL, no skip.
                }
                /* yes, fall through */
                case NEL: // 0x85
                case LS: // Ox2028
                    this.line++;
                    this.column = 0;
                    this.positionAtNewLine = this.position;
                    return NL_LIKE;
                default:
                    this.fail("disallowed character.");
                    return code;
            }
        }
        if (code > 0xDBFF) {
            // This is a specialized version of isCharAndNotRestricted that takes into
            // account that in this context code > 0xDBFF and code <= 0xFFFF. So it
            // does not test cases that don't need testing.
            if (!(code >= 0xE000 && code <= 0xFFFD)) {
                this.fail("disallowed character.");
            }
            return code;
        }
        const final = 0x10000 + ((code - 0xD800) * 0x400) +
            (chunk.charCodeAt(i + 1) - 0xDC00);
        this.i = i + 2;
        // This is a specialized version of isCharAndNotRestricted that takes into
        // account that in this context necessarily final >= 0x10000.
        if (final > 0x10FFFF) {
            this.fail("disallowed character.");
        }
        return final;
    }
    /**
     * Like ``getCode`` but with the return value normalized so that ``NL`` is
     * returned for ``NL_LIKE``.
     */
    getCodeNorm() {
        const c = this.getCode();
        return c === NL_LIKE ? NL : c;
    }
    unget() {
        this.i = this.prevI;
        this.column--;
    }
    /**
     * Capture characters into a buffer until encountering one of a set of
     * characters.
     *
     * @param chars An array of codepoints. Encountering a character in the array
     * ends the capture. (``chars`` may safely contain ``NL``.)
     *
     * @return The character code that made the capture end, or ``EOC`` if we hit
     * the end of the chunk. The return value cannot be NL_LIKE: NL is returned
     * instead.
     */
    captureTo(chars) {
        let { i: start } = this;
        const { chunk } = this;
        // eslint-disable-next-line no-constant-condition
        while (true) {
            const c = this.getCode();
            const isNLLike = c === NL_LIKE;
            const final = isNLLike ? NL : c;
            if (final === EOC || chars.includes(final)) {
                this.text += chunk.slice(start, this.prevI);
                return final;
            }
            if (isNLLike) {
                this.text += `${chunk.slice(start, this.prevI)}\n`;
                start = this.i;
            }
        }
    }
    /**
     * Capture characters into a buffer until encountering a character.
     *
     * @param char The codepoint that ends the capture. **NOTE ``char`` MAY NOT
     * CONTAIN ``NL``.** Passing ``NL`` will result in buggy behavior.
     *
     * @return ``true`` if we ran into the character. Otherwise, we ran into the
     * end of the current chunk.
     */
    captureToChar(char) {
        let { i: start } = this;
        const { chunk } = this;
        // eslint-disable-next-line no-constant-condition
        while (true) {
            let c = this.getCode();
            switch (c) {
                case NL_LIKE:
                    this.text += `${chunk.slice(start, this.prevI)}\n`;
                    start = this.i;
                    c = NL;
                    break;
                case EOC:
                    this.text += chunk.slice(start);
                    return false;
                default:
            }
            if (c === char) {
                this.text += chunk.slice(start, this.prevI);
                return true;
            }
        }
    }
    /**
     * Capture characters that satisfy ``isNameChar`` into the ``name`` field of
     * this parser.
     *
     * @return The character code that made the test fail, or ``EOC`` if we hit
     * the end of the chunk. The return value cannot be NL_LIKE: NL is returned
     * instead.
     */
    captureNameChars() {
        const { chunk, i: start } = this;
        // eslint-disable-next-line no-constant-condition
        while (true) {
            const c = this.getCode();
            if (c === EOC) {
                this.name += chunk.slice(start);
                return EOC;
            }
            // NL is not a name char so we don't have to test specifically for it.
            if (!isNameChar(c)) {
                this.name += chunk.slice(start, this.prevI);
                return c === NL_LIKE ? NL : c;
            }
        }
    }
    /**
     * Skip white spaces.
     *
     * @return The character that ended the skip, or ``EOC`` if we hit
     * the end of the chunk. The return value cannot be NL_LIKE: NL is returned
     * instead.
     */
    skipSpaces() {
        // eslint-disable-next-line no-constant-condition
        while (true) {
            const c = this.getCodeNorm();
            if (c === EOC || !isS(c)) {
                return c;
            }
        }
    }
    setXMLVersion(version) {
        this.currentXMLVersion = version;
        /*  eslint-disable @typescript-eslint/unbound-method */
        if (version === "1.0") {
            this.isChar = isChar10;
            this.getCode = this.getCode10;
        }
        else {
            this.isChar = isChar11;
            this.getCode = this.getCode11;
        }
        /* eslint-enable @typescript-eslint/unbound-method */
    }
    // STATE ENGINE METHODS
    // This needs to be a state separate from S_BEGIN_WHITESPACE because we want
    // to be sure never to come back to this state later.
    sBegin() {
        // We are essentially peeking at the first character of the chunk. Since
        // S_BEGIN can be in effect only when we start working on the first chunk,
        // the index at which we must look is necessarily 0. Note also that the
        // following test does not depend on decoding surrogates.
        // If the initial character is 0xFEFF, ignore it.
        if (this.chunk.charCodeAt(0) === 0xFEFF) {
            this.i++;
            this.column++;
        }
        this.state = S_BEGIN_WHITESPACE;
    }
    sBeginWhitespace() {
        // We need to know whether we've encountered spaces or not because as soon
        // as we run into a space, an XML declaration is no longer possible. Rather
        // than slow down skipSpaces even in places where we don't care whether it
        // skipped anything or not, we check whether prevI is equal to the value of
        // i from before we skip spaces.
        const iBefore = this.i;
        const c = this.skipSpaces();
        if (this.prevI !== iBefore) {
            this.xmlDeclPossible = false;
        }
        switch (c) {
            case LESS:
                this.state = S_OPEN_WAKA;
                // We could naively call closeText but in this state, it is not normal
                // to have text be filled with any data.
                if (this.text.length !== 0) {
                    throw new Error("no-empty text at start");
                }
                break;
            case EOC:
                break;
            default:
                this.unget();
                this.state = S_TEXT;
                this.xmlDeclPossible = false;
        }
    }
    sDoctype() {
        var _a;
        const c = this.captureTo(DOCTYPE_TERMINATOR);
        switch (c) {
            case GREATER: {
                (_a = this.doctypeHandler) === null || _a === void 0 ? void 0 : _a.call(this, this.text);
                this.text = "";
                this.state = S_TEXT;
                this.doctype = true; // just remember that we saw it.
                break;
            }
            case EOC:
                break;
            default:
                this.text += String.fromCodePoint(c);
                if (c === OPEN_BRACKET) {
                    this.state = S_DTD;
                }
                else if (isQuote(c)) {
                    this.state = S_DOCTYPE_QUOTE;
                    this.q = c;
                }
        }
    }
    sDoctypeQuote() {
        const q = this.q;
        if (this.captureToChar(q)) {
            this.text += String.fromCodePoint(q);
            this.q = null;
            this.state = S_DOCTYPE;
        }
    }
    sDTD() {
        const c = this.captureTo(DTD_TERMINATOR);
        if (c === EOC) {
            return;
        }
        this.text += String.fromCodePoint(c);
        if (c === CLOSE_BRACKET) {
            this.state = S_DOCTYPE;
        }
        else if (c === LESS) {
            this.state = S_DTD_OPEN_WAKA;
        }
        else if (isQuote(c)) {
            this.state = S_DTD_QUOTED;
            this.q = c;
        }
    }
    sDTDQuoted() {
        const q = this.q;
        if (this.captureToChar(q)) {
            this.text += String.fromCodePoint(q);
            this.state = S_DTD;
            this.q = null;
        }
    }
    sDTDOpenWaka() {
        const c = this.getCodeNorm();
        this.text += String.fromCodePoint(c);
        switch (c) {
            case BANG:
                this.state = S_DTD_OPEN_WAKA_BANG;
                this.openWakaBang = "";
                break;
            case QUESTION:
                this.state = S_DTD_PI;
                break;
            default:
                this.state = S_DTD;
        }
    }
    sDTDOpenWakaBang() {
        const char = String.fromCodePoint(this.getCodeNorm());
        const owb = this.openWakaBang += char;
        this.text += char;
        if (owb !== "-") {
            this.state = owb === "--" ? S_DTD_COMMENT : S_DTD;
            this.openWakaBang = "";
        }
    }
    sDTDComment() {
        if (this.captureToChar(MINUS)) {
            this.text += "-";
            this.state = S_DTD_COMMENT_ENDING;
        }
    }
    sDTDCommentEnding() {
        const c = this.getCodeNorm();
        this.text += String.fromCodePoint(c);
        this.state = c === MINUS ? S_DTD_COMMENT_ENDED : S_DTD_COMMENT;
    }
    sDTDCommentEnded() {
        const c = this.getCodeNorm();
        this.text += String.fromCodePoint(c);
        if (c === GREATER) {
            this.state = S_DTD;
        }
        else {
            this.fail("malformed comment.");
            // <!-- blah -- bloo --> will be recorded as
            // a comment of " blah -- bloo "
            this.state = S_DTD_COMMENT;
        }
    }
    sDTDPI() {
        if (this.captureToChar(QUESTION)) {
            this.text += "?";
            this.state = S_DTD_PI_ENDING;
        }
    }
    sDTDPIEnding() {
        const c = this.getCodeNorm();
        this.text += String.fromCodePoint(c);
        if (c === GREATER) {
            this.state = S_DTD;
        }
    }
    sText() {
        //
        // We did try a version of saxes where the S_TEXT state was split in two
        // states: one for text inside the root element, and one for text
        // outside. This was avoiding having to test this.tags.length to decide
        // what implementation to actually use.
        //
        // Peformance testing on gigabyte-size files did not show any advantage to
        // using the two states solution instead of the current one. Conversely, it
        // made the code a bit more complicated elsewhere. For instance, a comment
        // can appear before the root element so when a comment ended it was
        // necessary to determine whether to return to the S_TEXT state or to the
        // new text-outside-root state.
        //
        if (this.tags.length !== 0) {
            this.handleTextInRoot();
        }
        else {
            this.handleTextOutsideRoot();
        }
    }
    sEntity() {
        // This is essentially a specialized version of captureToChar(SEMICOLON...)
        let { i: start } = this;
        const { chunk } = this;
        // eslint-disable-next-line no-labels, no-restricted-syntax
        loop: 
        // eslint-disable-next-line no-constant-condition
        while (true) {
            switch (this.getCode()) {
                case NL_LIKE:
                    this.entity += `${chunk.slice(start, this.prevI)}\n`;
                    start = this.i;
                    break;
                case SEMICOLON: {
                    const { entityReturnState } = this;
                    const entity = this.entity + chunk.slice(start, this.prevI);
                    this.state = entityReturnState;
                    let parsed;
                    if (entity === "") {
                        this.fail("empty entity name.");
                        parsed = "&;";
                    }
                    else {
                        parsed = this.parseEntity(entity);
                        this.entity = "";
                    }
                    if (entityReturnState !== S_TEXT || this.textHandler !== undefined) {
                        this.text += parsed;
                    }
                    // eslint-disable-next-line no-labels
                    break loop;
                }
                case EOC:
                    this.entity += chunk.slice(start);
                    // eslint-disable-next-line no-labels
                    break loop;
                default:
            }
        }
    }
    sOpenWaka() {
        // Reminder: a state handler is called with at least one character
        // available in the current chunk. So the first call to get code inside of
        // a state handler cannot return ``EOC``. That's why we don't test
        // for it.
        const c = this.getCode();
        // either a /, ?, !, or text is coming next.
        if (isNameStartChar(c)) {
            this.state = S_OPEN_TAG;
            this.unget();
            this.xmlDeclPossible = false;
        }
        else {
            switch (c) {
                case FORWARD_SLASH:
                    this.state = S_CLOSE_TAG;
                    this.xmlDeclPossible = false;
                    break;
                case BANG:
                    this.state = S_OPEN_WAKA_BANG;
                    this.openWakaBang = "";
                    this.xmlDeclPossible = false;
                    break;
                case QUESTION:
                    this.state = S_PI_FIRST_CHAR;
                    break;
                default:
                    this.fail("disallowed character in tag name");
                    this.state = S_TEXT;
                    this.xmlDeclPossible = false;
            }
        }
    }
    sOpenWakaBang() {
        this.openWakaBang += String.fromCodePoint(this.getCodeNorm());
        switch (this.openWakaBang) {
            case "[CDATA[":
                if (!this.sawRoot && !this.reportedTextBeforeRoot) {
                    this.fail("text data outside of root node.");
                    this.reportedTextBeforeRoot = true;
                }
                if (this.closedRoot && !this.reportedTextAfterRoot) {
                    this.fail("text data outside of root node.");
                    this.reportedTextAfterRoot = true;
                }
                this.state = S_CDATA;
                this.openWakaBang = "";
                break;
            case "--":
                this.state = S_COMMENT;
                this.openWakaBang = "";
                break;
            case "DOCTYPE":
                this.state = S_DOCTYPE;
                if (this.doctype || this.sawRoot) {
                    this.fail("inappropriately located doctype declaration.");
                }
                this.openWakaBang = "";
                break;
            default:
                // 7 happens to be the maximum length of the string that can possibly
                // match one of the cases above.
                if (this.openWakaBang.length >= 7) {
                    this.fail("incorrect syntax.");
                }
        }
    }
    sComment() {
        if (this.captureToChar(MINUS)) {
            this.state = S_COMMENT_ENDING;
        }
    }
    sCommentEnding() {
        var _a;
        const c = this.getCodeNorm();
        if (c === MINUS) {
            this.state = S_COMMENT_ENDED;
            (_a = this.commentHandler) === null || _a === void 0 ? void 0 : _a.call(this, this.text);
            this.text = "";
        }
        else {
            this.text += `-${String.fromCodePoint(c)}`;
            this.state = S_COMMENT;
        }
    }
    sCommentEnded() {
        const c = this.getCodeNorm();
        if (c !== GREATER) {
            this.fail("malformed comment.");
            // <!-- blah -- bloo --> will be recorded as
            // a comment of " blah -- bloo "
            this.text += `--${String.fromCodePoint(c)}`;
            this.state = S_COMMENT;
        }
        else {
            this.state = S_TEXT;
        }
    }
    sCData() {
        if (this.captureToChar(CLOSE_BRACKET)) {
            this.state = S_CDATA_ENDING;
        }
    }
    sCDataEnding() {
        const c = this.getCodeNorm();
        if (c === CLOSE_BRACKET) {
            this.state = S_CDATA_ENDING_2;
        }
        else {
            this.text += `]${String.fromCodePoint(c)}`;
            this.state = S_CDATA;
        }
    }
    sCDataEnding2() {
        var _a;
        const c = this.getCodeNorm();
        switch (c) {
            case GREATER: {
                (_a = this.cdataHandler) === null || _a === void 0 ? void 0 : _a.call(this, this.text);
                this.text = "";
                this.state = S_TEXT;
                break;
            }
            case CLOSE_BRACKET:
                this.text += "]";
                break;
            default:
                this.text += `]]${String.fromCodePoint(c)}`;
                this.state = S_CDATA;
        }
    }
    // We need this separate state to check the first character fo the pi target
    // with this.nameStartCheck which allows less characters than this.nameCheck.
    sPIFirstChar() {
        const c = this.getCodeNorm();
        // This is first because in the case where the file is well-formed this is
        // the branch taken. We optimize for well-formedness.
        if (this.nameStartCheck(c)) {
            this.piTarget += String.fromCodePoint(c);
            this.state = S_PI_REST;
        }
        else if (c === QUESTION || isS(c)) {
            this.fail("processing instruction without a target.");
            this.state = c === QUESTION ? S_PI_ENDING : S_PI_BODY;
        }
        else {
            this.fail("disallowed character in processing instruction name.");
            this.piTarget += String.fromCodePoint(c);
            this.state = S_PI_REST;
        }
    }
    sPIRest() {
        // Capture characters into a piTarget while ``this.nameCheck`` run on the
        // character read returns true.
        const { chunk, i: start } = this;
        // eslint-disable-next-line no-constant-condition
        while (true) {
            const c = this.getCodeNorm();
            if (c === EOC) {
                this.piTarget += chunk.slice(start);
                return;
            }
            // NL cannot satisfy this.nameCheck so we don't have to test specifically
            // for it.
            if (!this.nameCheck(c)) {
                this.piTarget += chunk.slice(start, this.prevI);
                const isQuestion = c === QUESTION;
                if (isQuestion || isS(c)) {
                    if (this.piTarget === "xml") {
                        if (!this.xmlDeclPossible) {
                            this.fail("an XML declaration must be at the start of the document.");
                        }
                        this.state = isQuestion ? S_XML_DECL_ENDING : S_XML_DECL_NAME_START;
                    }
                    else {
                        this.state = isQuestion ? S_PI_ENDING : S_PI_BODY;
                    }
                }
                else {
                    this.fail("disallowed character in processing instruction name.");
                    this.piTarget += String.fromCodePoint(c);
                }
                break;
            }
        }
    }
    sPIBody() {
        if (this.text.length === 0) {
            const c = this.getCodeNorm();
            if (c === QUESTION) {
                this.state = S_PI_ENDING;
            }
            else if (!isS(c)) {
                this.text = String.fromCodePoint(c);
            }
        }
        // The question mark character is not valid inside any of the XML
        // declaration name/value pairs.
        else if (this.captureToChar(QUESTION)) {
            this.state = S_PI_ENDING;
        }
    }
    sPIEnding() {
        var _a;
        const c = this.getCodeNorm();
        if (c === GREATER) {
            const { piTarget } = this;
            if (piTarget.toLowerCase() === "xml") {
                this.fail("the XML declaration must appear at the start of the document.");
            }
            (_a = this.piHandler) === null || _a === void 0 ? void 0 : _a.call(this, {
                target: piTarget,
                body: this.text,
            });
            this.piTarget = this.text = "";
            this.state = S_TEXT;
        }
        else if (c === QUESTION) {
            // We ran into ?? as part of a processing instruction. We initially took
            // the first ? as a sign that the PI was ending, but it is not. So we have
            // to add it to the body but we take the new ? as a sign that the PI is
            // ending.
            this.text += "?";
        }
        else {
            this.text += `?${String.fromCodePoint(c)}`;
            this.state = S_PI_BODY;
        }
        this.xmlDeclPossible = false;
    }
    sXMLDeclNameStart() {
        const c = this.skipSpaces();
        // The question mark character is not valid inside any of the XML
        // declaration name/value pairs.
        if (c === QUESTION) {
            // It is valid to go to S_XML_DECL_ENDING from this state.
            this.state = S_XML_DECL_ENDING;
            return;
        }
        if (c !== EOC) {
            this.state = S_XML_DECL_NAME;
            this.name = String.fromCodePoint(c);
        }
    }
    sXMLDeclName() {
        const c = this.captureTo(XML_DECL_NAME_TERMINATOR);
        // The question mark character is not valid inside any of the XML
        // declaration name/value pairs.
        if (c === QUESTION) {
            this.state = S_XML_DECL_ENDING;
            this.name += this.text;
            this.text = "";
            this.fail("XML declaration is incomplete.");
            return;
        }
        if (!(isS(c) || c === EQUAL)) {
            return;
        }
        this.name += this.text;
        this.text = "";
        if (!this.xmlDeclExpects.includes(this.name)) {
            switch (this.name.length) {
                case 0:
                    this.fail("did not expect any more name/value pairs.");
                    break;
                case 1:
                    this.fail(`expected the name ${this.xmlDeclExpects[0]}.`);
                    break;
                default:
                    this.fail(`expected one of ${this.xmlDeclExpects.join(", ")}`);
            }
        }
        this.state = c === EQUAL ? S_XML_DECL_VALUE_START : S_XML_DECL_EQ;
    }
    sXMLDeclEq() {
        const c = this.getCodeNorm();
        // The question mark character is not valid inside any of the XML
        // declaration name/value pairs.
        if (c === QUESTION) {
            this.state = S_XML_DECL_ENDING;
            this.fail("XML declaration is incomplete.");
            return;
        }
        if (isS(c)) {
            return;
        }
        if (c !== EQUAL) {
            this.fail("value required.");
        }
        this.state = S_XML_DECL_VALUE_START;
    }
    sXMLDeclValueStart() {
        const c = this.getCodeNorm();
        // The question mark character is not valid inside any of the XML
        // declaration name/value pairs.
        if (c === QUESTION) {
            this.state = S_XML_DECL_ENDING;
            this.fail("XML declaration is incomplete.");
            return;
        }
        if (isS(c)) {
            return;
        }
        if (!isQuote(c)) {
            this.fail("value must be quoted.");
            this.q = SPACE;
        }
        else {
            this.q = c;
        }
        this.state = S_XML_DECL_VALUE;
    }
    sXMLDeclValue() {
        const c = this.captureTo([this.q, QUESTION]);
        // The question mark character is not valid inside any of the XML
        // declaration name/value pairs.
        if (c === QUESTION) {
            this.state = S_XML_DECL_ENDING;
            this.text = "";
            this.fail("XML declaration is incomplete.");
            return;
        }
        if (c === EOC) {
            return;
        }
        const value = this.text;
        this.text = "";
        switch (this.name) {
            case "version": {
                this.xmlDeclExpects = ["encoding", "standalone"];
                const version = value;
                this.xmlDecl.version = version;
                // This is the test specified by XML 1.0 but it is fine for XML 1.1.
                if (!/^1\.[0-9]+$/.test(version)) {
                    this.fail("version number must match /^1\\.[0-9]+$/.");
                }
                // When forceXMLVersion is set, the XML declaration is ignored.
                else if (!this.opt.forceXMLVersion) {
                    this.setXMLVersion(version);
                }
                break;
            }
            case "encoding":
                if (!/^[A-Za-z][A-Za-z0-9._-]*$/.test(value)) {
                    this.fail("encoding value must match \
/^[A-Za-z0-9][A-Za-z0-9._-]*$/.");
                }
                this.xmlDeclExpects = ["standalone"];
                this.xmlDecl.encoding = value;
                break;
            case "standalone":
                if (value !== "yes" && value !== "no") {
                    this.fail("standalone value must match \"yes\" or \"no\".");
                }
                this.xmlDeclExpects = [];
                this.xmlDecl.standalone = value;
                break;
            default:
            // We don't need to raise an error here since we've already raised one
            // when checking what name was expected.
        }
        this.name = "";
        this.state = S_XML_DECL_SEPARATOR;
    }
    sXMLDeclSeparator() {
        const c = this.getCodeNorm();
        // The question mark character is not valid inside any of the XML
        // declaration name/value pairs.
        if (c === QUESTION) {
            // It is valid to go to S_XML_DECL_ENDING from this state.
            this.state = S_XML_DECL_ENDING;
            return;
        }
        if (!isS(c)) {
            this.fail("whitespace required.");
            this.unget();
        }
        this.state = S_XML_DECL_NAME_START;
    }
    sXMLDeclEnding() {
        var _a;
        const c = this.getCodeNorm();
        if (c === GREATER) {
            if (this.piTarget !== "xml") {
                this.fail("processing instructions are not allowed before root.");
            }
            else if (this.name !== "version" &&
                this.xmlDeclExpects.includes("version")) {
                this.fail("XML declaration must contain a version.");
            }
            (_a = this.xmldeclHandler) === null || _a === void 0 ? void 0 : _a.call(this, this.xmlDecl);
            this.name = "";
            this.piTarget = this.text = "";
            this.state = S_TEXT;
        }
        else {
            // We got here because the previous character was a ?, but the question
            // mark character is not valid inside any of the XML declaration
            // name/value pairs.
            this.fail("The character ? is disallowed anywhere in XML declarations.");
        }
        this.xmlDeclPossible = false;
    }
    sOpenTag() {
        var _a;
        const c = this.captureNameChars();
        if (c === EOC) {
            return;
        }
        const tag = this.tag = {
            name: this.name,
            attributes: Object.create(null),
        };
        this.name = "";
        if (this.xmlnsOpt) {
            this.topNS = tag.ns = Object.create(null);
        }
        (_a = this.openTagStartHandler) === null || _a === void 0 ? void 0 : _a.call(this, tag);
        this.sawRoot = true;
        if (!this.fragmentOpt && this.closedRoot) {
            this.fail("documents may contain only one root.");
        }
        switch (c) {
            case GREATER:
                this.openTag();
                break;
            case FORWARD_SLASH:
                this.state = S_OPEN_TAG_SLASH;
                break;
            default:
                if (!isS(c)) {
                    this.fail("disallowed character in tag name.");
                }
                this.state = S_ATTRIB;
        }
    }
    sOpenTagSlash() {
        if (this.getCode() === GREATER) {
            this.openSelfClosingTag();
        }
        else {
            this.fail("forward-slash in opening tag not followed by >.");
            this.state = S_ATTRIB;
        }
    }
    sAttrib() {
        const c = this.skipSpaces();
        if (c === EOC) {
            return;
        }
        if (isNameStartChar(c)) {
            this.unget();
            this.state = S_ATTRIB_NAME;
        }
        else if (c === GREATER) {
            this.openTag();
        }
        else if (c === FORWARD_SLASH) {
            this.state = S_OPEN_TAG_SLASH;
        }
        else {
            this.fail("disallowed character in attribute name.");
        }
    }
    sAttribName() {
        const c = this.captureNameChars();
        if (c === EQUAL) {
            this.state = S_ATTRIB_VALUE;
        }
        else if (isS(c)) {
            this.state = S_ATTRIB_NAME_SAW_WHITE;
        }
        else if (c === GREATER) {
            this.fail("attribute without value.");
            this.pushAttrib(this.name, this.name);
            this.name = this.text = "";
            this.openTag();
        }
        else if (c !== EOC) {
            this.fail("disallowed character in attribute name.");
        }
    }
    sAttribNameSawWhite() {
        const c = this.skipSpaces();
        switch (c) {
            case EOC:
                return;
            case EQUAL:
                this.state = S_ATTRIB_VALUE;
                break;
            default:
                this.fail("attribute without value.");
                // Should we do this???
                // this.tag.attributes[this.name] = "";
                this.text = "";
                this.name = "";
                if (c === GREATER) {
                    this.openTag();
                }
                else if (isNameStartChar(c)) {
                    this.unget();
                    this.state = S_ATTRIB_NAME;
                }
                else {
                    this.fail("disallowed character in attribute name.");
                    this.state = S_ATTRIB;
                }
        }
    }
    sAttribValue() {
        const c = this.getCodeNorm();
        if (isQuote(c)) {
            this.q = c;
            this.state = S_ATTRIB_VALUE_QUOTED;
        }
        else if (!isS(c)) {
            this.fail("unquoted attribute value.");
            this.state = S_ATTRIB_VALUE_UNQUOTED;
            this.unget();
        }
    }
    sAttribValueQuoted() {
        // We deliberately do not use captureTo here. The specialized code we use
        // here is faster than using captureTo.
        const { q, chunk } = this;
        let { i: start } = this;
        // eslint-disable-next-line no-constant-condition
        while (true) {
            switch (this.getCode()) {
                case q:
                    this.pushAttrib(this.name, this.text + chunk.slice(start, this.prevI));
                    this.name = this.text = "";
                    this.q = null;
                    this.state = S_ATTRIB_VALUE_CLOSED;
                    return;
                case AMP:
                    this.text += chunk.slice(start, this.prevI);
                    this.state = S_ENTITY;
                    this.entityReturnState = S_ATTRIB_VALUE_QUOTED;
                    return;
                case NL:
                case NL_LIKE:
                case TAB:
                    this.text += `${chunk.slice(start, this.prevI)} `;
                    start = this.i;
                    break;
                case LESS:
                    this.text += chunk.slice(start, this.prevI);
                    this.fail("disallowed character.");
                    return;
                case EOC:
                    this.text += chunk.slice(start);
                    return;
                default:
            }
        }
    }
    sAttribValueClosed() {
        const c = this.getCodeNorm();
        if (isS(c)) {
            this.state = S_ATTRIB;
        }
        else if (c === GREATER) {
            this.openTag();
        }
        else if (c === FORWARD_SLASH) {
            this.state = S_OPEN_TAG_SLASH;
        }
        else if (isNameStartChar(c)) {
            this.fail("no whitespace between attributes.");
            this.unget();
            this.state = S_ATTRIB_NAME;
        }
        else {
            this.fail("disallowed character in attribute name.");
        }
    }
    sAttribValueUnquoted() {
        // We don't do anything regarding EOL or space handling for unquoted
        // attributes. We already have failed by the time we get here, and the
        // contract that saxes upholds states that upon failure, it is not safe to
        // rely on the data passed to event handlers (other than
        // ``onerror``). Passing "bad" data is not a problem.
        const c = this.captureTo(ATTRIB_VALUE_UNQUOTED_TERMINATOR);
        switch (c) {
            case AMP:
                this.state = S_ENTITY;
                this.entityReturnState = S_ATTRIB_VALUE_UNQUOTED;
                break;
            case LESS:
                this.fail("disallowed character.");
                break;
            case EOC:
                break;
            default:
                if (this.text.includes("]]>")) {
                    this.fail("the string \"]]>\" is disallowed in char data.");
                }
                this.pushAttrib(this.name, this.text);
                this.name = this.text = "";
                if (c === GREATER) {
                    this.openTag();
                }
                else {
                    this.state = S_ATTRIB;
                }
        }
    }
    sCloseTag() {
        const c = this.captureNameChars();
        if (c === GREATER) {
            this.closeTag();
        }
        else if (isS(c)) {
            this.state = S_CLOSE_TAG_SAW_WHITE;
        }
        else if (c !== EOC) {
            this.fail("disallowed character in closing tag.");
        }
    }
    sCloseTagSawWhite() {
        switch (this.skipSpaces()) {
            case GREATER:
                this.closeTag();
                break;
            case EOC:
                break;
            default:
                this.fail("disallowed character in closing tag.");
        }
    }
    // END OF STATE ENGINE METHODS
    handleTextInRoot() {
        // This is essentially a specialized version of captureTo which is optimized
        // for performing the ]]> check. A previous version of this code, checked
        // ``this.text`` for the presence of ]]>. It simplified the code but was
        // very costly when character data contained a lot of entities to be parsed.
        //
        // Since we are using a specialized loop, we also keep track of the presence
        // of ]]> in text data. The sequence ]]> is forbidden to appear as-is.
        //
        let { i: start, forbiddenState } = this;
        const { chunk, textHandler: handler } = this;
        // eslint-disable-next-line no-labels, no-restricted-syntax
        scanLoop: 
        // eslint-disable-next-line no-constant-condition
        while (true) {
            switch (this.getCode()) {
                case LESS: {
                    this.state = S_OPEN_WAKA;
                    if (handler !== undefined) {
                        const { text } = this;
                        const slice = chunk.slice(start, this.prevI);
                        if (text.length !== 0) {
                            handler(text + slice);
                            this.text = "";
                        }
                        else if (slice.length !== 0) {
                            handler(slice);
                        }
                    }
                    forbiddenState = FORBIDDEN_START;
                    // eslint-disable-next-line no-labels
                    break scanLoop;
                }
                case AMP:
                    this.state = S_ENTITY;
                    this.entityReturnState = S_TEXT;
                    if (handler !== undefined) {
                        this.text += chunk.slice(start, this.prevI);
                    }
                    forbiddenState = FORBIDDEN_START;
                    // eslint-disable-next-line no-labels
                    break scanLoop;
                case CLOSE_BRACKET:
                    switch (forbiddenState) {
                        case FORBIDDEN_START:
                            forbiddenState = FORBIDDEN_BRACKET;
                            break;
                        case FORBIDDEN_BRACKET:
                            forbiddenState = FORBIDDEN_BRACKET_BRACKET;
                            break;
                        case FORBIDDEN_BRACKET_BRACKET:
                            break;
                        default:
                            throw new Error("impossible state");
                    }
                    break;
                case GREATER:
                    if (forbiddenState === FORBIDDEN_BRACKET_BRACKET) {
                        this.fail("the string \"]]>\" is disallowed in char data.");
                    }
                    forbiddenState = FORBIDDEN_START;
                    break;
                case NL_LIKE:
                    if (handler !== undefined) {
                        this.text += `${chunk.slice(start, this.prevI)}\n`;
                    }
                    start = this.i;
                    forbiddenState = FORBIDDEN_START;
                    break;
                case EOC:
                    if (handler !== undefined) {
                        this.text += chunk.slice(start);
                    }
                    // eslint-disable-next-line no-labels
                    break scanLoop;
                default:
                    forbiddenState = FORBIDDEN_START;
            }
        }
        this.forbiddenState = forbiddenState;
    }
    handleTextOutsideRoot() {
        // This is essentially a specialized version of captureTo which is optimized
        // for a specialized task. We keep track of the presence of non-space
        // characters in the text since these are errors when appearing outside the
        // document root element.
        let { i: start } = this;
        const { chunk, textHandler: handler } = this;
        let nonSpace = false;
        // eslint-disable-next-line no-labels, no-restricted-syntax
        outRootLoop: 
        // eslint-disable-next-line no-constant-condition
        while (true) {
            const code = this.getCode();
            switch (code) {
                case LESS: {
                    this.state = S_OPEN_WAKA;
                    if (handler !== undefined) {
                        const { text } = this;
                        const slice = chunk.slice(start, this.prevI);
                        if (text.length !== 0) {
                            handler(text + slice);
                            this.text = "";
                        }
                        else if (slice.length !== 0) {
                            handler(slice);
                        }
                    }
                    // eslint-disable-next-line no-labels
                    break outRootLoop;
                }
                case AMP:
                    this.state = S_ENTITY;
                    this.entityReturnState = S_TEXT;
                    if (handler !== undefined) {
                        this.text += chunk.slice(start, this.prevI);
                    }
                    nonSpace = true;
                    // eslint-disable-next-line no-labels
                    break outRootLoop;
                case NL_LIKE:
                    if (handler !== undefined) {
                        this.text += `${chunk.slice(start, this.prevI)}\n`;
                    }
                    start = this.i;
                    break;
                case EOC:
                    if (handler !== undefined) {
                        this.text += chunk.slice(start);
                    }
                    // eslint-disable-next-line no-labels
                    break outRootLoop;
                default:
                    if (!isS(code)) {
                        nonSpace = true;
                    }
            }
        }
        if (!nonSpace) {
            return;
        }
        // We use the reportedTextBeforeRoot and reportedTextAfterRoot flags
        // to avoid reporting errors for every single character that is out of
        // place.
        if (!this.sawRoot && !this.reportedTextBeforeRoot) {
            this.fail("text data outside of root node.");
            this.reportedTextBeforeRoot = true;
        }
        if (this.closedRoot && !this.reportedTextAfterRoot) {
            this.fail("text data outside of root node.");
            this.reportedTextAfterRoot = true;
        }
    }
    pushAttribNS(name, value) {
        var _a;
        const { prefix, local } = this.qname(name);
        const attr = { name, prefix, local, value };
        this.attribList.push(attr);
        (_a = this.attributeHandler) === null || _a === void 0 ? void 0 : _a.call(this, attr);
        if (prefix === "xmlns") {
            const trimmed = value.trim();
            if (this.currentXMLVersion === "1.0" && trimmed === "") {
                this.fail("invalid attempt to undefine prefix in XML 1.0");
            }
            this.topNS[local] = trimmed;
            nsPairCheck(this, local, trimmed);
        }
        else if (name === "xmlns") {
            const trimmed = value.trim();
            this.topNS[""] = trimmed;
            nsPairCheck(this, "", trimmed);
        }
    }
    pushAttribPlain(name, value) {
        var _a;
        const attr = { name, value };
        this.attribList.push(attr);
        (_a = this.attributeHandler) === null || _a === void 0 ? void 0 : _a.call(this, attr);
    }
    /**
     * End parsing. This performs final well-formedness checks and resets the
     * parser to a clean state.
     *
     * @returns this
     */
    end() {
        var _a, _b;
        if (!this.sawRoot) {
            this.fail("document must contain a root element.");
        }
        const { tags } = this;
        while (tags.length > 0) {
            const tag = tags.pop();
            this.fail(`unclosed tag: ${tag.name}`);
        }
        if ((this.state !== S_BEGIN) && (this.state !== S_TEXT)) {
            this.fail("unexpected end.");
        }
        const { text } = this;
        if (text.length !== 0) {
            (_a = this.textHandler) === null || _a === void 0 ? void 0 : _a.call(this, text);
            this.text = "";
        }
        this._closed = true;
        (_b = this.endHandler) === null || _b === void 0 ? void 0 : _b.call(this);
        this._init();
        return this;
    }
    /**
     * Resolve a namespace prefix.
     *
     * @param prefix The prefix to resolve.
     *
     * @returns The namespace URI or ``undefined`` if the prefix is not defined.
     */
    resolve(prefix) {
        var _a, _b;
        let uri = this.topNS[prefix];
        if (uri !== undefined) {
            return uri;
        }
        const { tags } = this;
        for (let index = tags.length - 1; index >= 0; index--) {
            uri = tags[index].ns[prefix];
            if (uri !== undefined) {
                return uri;
            }
        }
        uri = this.ns[prefix];
        if (uri !== undefined) {
            return uri;
        }
        return (_b = (_a = this.opt).resolvePrefix) === null || _b === void 0 ? void 0 : _b.call(_a, prefix);
    }
    /**
     * Parse a qname into its prefix and local name parts.
     *
     * @param name The name to parse
     *
     * @returns
     */
    qname(name) {
        // This is faster than using name.split(":").
        const colon = name.indexOf(":");
        if (colon === -1) {
            return { prefix: "", local: name };
        }
        const local = name.slice(colon + 1);
        const prefix = name.slice(0, colon);
        if (prefix === "" || local === "" || local.includes(":")) {
            this.fail(`malformed name: ${name}.`);
        }
        return { prefix, local };
    }
    processAttribsNS() {
        var _a;
        const { attribList } = this;
        const tag = this.tag;
        {
            // add namespace info to tag
            const { prefix, local } = this.qname(tag.name);
            tag.prefix = prefix;
            tag.local = local;
            const uri = tag.uri = (_a = this.resolve(prefix)) !== null && _a !== void 0 ? _a : "";
            if (prefix !== "") {
                if (prefix === "xmlns") {
                    this.fail("tags may not have \"xmlns\" as prefix.");
                }
                if (uri === "") {
                    this.fail(`unbound namespace prefix: ${JSON.stringify(prefix)}.`);
                    tag.uri = prefix;
                }
            }
        }
        if (attribList.length === 0) {
            return;
        }
        const { attributes } = tag;
        const seen = new Set();
        // Note: do not apply default ns to attributes:
        //   http://www.w3.org/TR/REC-xml-names/#defaulting
        for (const attr of attribList) {
            const { name, prefix, local } = attr;
            let uri;
            let eqname;
            if (prefix === "") {
                uri = name === "xmlns" ? XMLNS_NAMESPACE : "";
                eqname = name;
            }
            else {
                uri = this.resolve(prefix);
                // if there's any attributes with an undefined namespace,
                // then fail on them now.
                if (uri === undefined) {
                    this.fail(`unbound namespace prefix: ${JSON.stringify(prefix)}.`);
                    uri = prefix;
                }
                eqname = `{${uri}}${local}`;
            }
            if (seen.has(eqname)) {
                this.fail(`duplicate attribute: ${eqname}.`);
            }
            seen.add(eqname);
            attr.uri = uri;
            attributes[name] = attr;
        }
        this.attribList = [];
    }
    processAttribsPlain() {
        const { attribList } = this;
        // eslint-disable-next-line prefer-destructuring
        const attributes = this.tag.attributes;
        for (const { name, value } of attribList) {
            if (attributes[name] !== undefined) {
                this.fail(`duplicate attribute: ${name}.`);
            }
            attributes[name] = value;
        }
        this.attribList = [];
    }
    /**
     * Handle a complete open tag. This parser code calls this once it has seen
     * the whole tag. This method checks for well-formeness and then emits
     * ``onopentag``.
     */
    openTag() {
        var _a;
        this.processAttribs();
        const { tags } = this;
        const tag = this.tag;
        tag.isSelfClosing = false;
        // There cannot be any pending text here due to the onopentagstart that was
        // necessarily emitted before we get here. So we do not check text.
        (_a = this.openTagHandler) === null || _a === void 0 ? void 0 : _a.call(this, tag);
        tags.push(tag);
        this.state = S_TEXT;
        this.name = "";
    }
    /**
     * Handle a complete self-closing tag. This parser code calls this once it has
     * seen the whole tag. This method checks for well-formeness and then emits
     * ``onopentag`` and ``onclosetag``.
     */
    openSelfClosingTag() {
        var _a, _b, _c;
        this.processAttribs();
        const { tags } = this;
        const tag = this.tag;
        tag.isSelfClosing = true;
        // There cannot be any pending text here due to the onopentagstart that was
        // necessarily emitted before we get here. So we do not check text.
        (_a = this.openTagHandler) === null || _a === void 0 ? void 0 : _a.call(this, tag);
        (_b = this.closeTagHandler) === null || _b === void 0 ? void 0 : _b.call(this, tag);
        const top = this.tag = (_c = tags[tags.length - 1]) !== null && _c !== void 0 ? _c : null;
        if (top === null) {
            this.closedRoot = true;
        }
        this.state = S_TEXT;
        this.name = "";
    }
    /**
     * Handle a complete close tag. This parser code calls this once it has seen
     * the whole tag. This method checks for well-formeness and then emits
     * ``onclosetag``.
     */
    closeTag() {
        const { tags, name } = this;
        // Our state after this will be S_TEXT, no matter what, and we can clear
        // tagName now.
        this.state = S_TEXT;
        this.name = "";
        if (name === "") {
            this.fail("weird empty close tag.");
            this.text += "</>";
            return;
        }
        const handler = this.closeTagHandler;
        let l = tags.length;
        while (l-- > 0) {
            const tag = this.tag = tags.pop();
            this.topNS = tag.ns;
            handler === null || handler === void 0 ? void 0 : handler(tag);
            if (tag.name === name) {
                break;
            }
            this.fail("unexpected close tag.");
        }
        if (l === 0) {
            this.closedRoot = true;
        }
        else if (l < 0) {
            this.fail(`unmatched closing tag: ${name}.`);
            this.text += `</${name}>`;
        }
    }
    /**
     * Resolves an entity. Makes any necessary well-formedness checks.
     *
     * @param entity The entity to resolve.
     *
     * @returns The parsed entity.
     */
    parseEntity(entity) {
        // startsWith would be significantly slower for this test.
        if (entity[0] !== "#") {
            const defined = this.ENTITIES[entity];
            if (defined !== undefined) {
                return defined;
            }
            this.fail(this.isName(entity) ? "undefined entity." :
                "disallowed character in entity name.");
            return `&${entity};`;
        }
        let num = NaN;
        if (entity[1] === "x" && /^#x[0-9a-f]+$/i.test(entity)) {
            num = parseInt(entity.slice(2), 16);
        }
        else if (/^#[0-9]+$/.test(entity)) {
            num = parseInt(entity.slice(1), 10);
        }
        // The character reference is required to match the CHAR production.
        if (!this.isChar(num)) {
            this.fail("malformed character entity.");
            return `&${entity};`;
        }
        return String.fromCodePoint(num);
    }
}
exports.wT = SaxesParser;
//# sourceMappingURL=saxes.js.map

/***/ }),

/***/ 60:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {


const stripAnsi = __nccwpck_require__(3958);
const isFullwidthCodePoint = __nccwpck_require__(4519);
const emojiRegex = __nccwpck_require__(872);

const stringWidth = string => {
	if (typeof string !== 'string' || string.length === 0) {
		return 0;
	}

	string = stripAnsi(string);

	if (string.length === 0) {
		return 0;
	}

	string = string.replace(emojiRegex(), '  ');

	let width = 0;

	for (let i = 0; i < string.length; i++) {
		const code = string.codePointAt(i);

		// Ignore control characters
		if (code <= 0x1F || (code >= 0x7F && code <= 0x9F)) {
			continue;
		}

		// Ignore combining characters
		if (code >= 0x300 && code <= 0x36F) {
			continue;
		}

		// Surrogates
		if (code > 0xFFFF) {
			i++;
		}

		width += isFullwidthCodePoint(code) ? 2 : 1;
	}

	return width;
};

module.exports = stringWidth;
// TODO: remove this in the next major version
module.exports["default"] = stringWidth;


/***/ }),

/***/ 3958:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {


const ansiRegex = __nccwpck_require__(21);

module.exports = string => typeof string === 'string' ? string.replace(ansiRegex(), '') : string;


/***/ }),

/***/ 1450:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {


const os = __nccwpck_require__(857);
const tty = __nccwpck_require__(2018);
const hasFlag = __nccwpck_require__(3813);

const {env} = process;

let forceColor;
if (hasFlag('no-color') ||
	hasFlag('no-colors') ||
	hasFlag('color=false') ||
	hasFlag('color=never')) {
	forceColor = 0;
} else if (hasFlag('color') ||
	hasFlag('colors') ||
	hasFlag('color=true') ||
	hasFlag('color=always')) {
	forceColor = 1;
}

if ('FORCE_COLOR' in env) {
	if (env.FORCE_COLOR === 'true') {
		forceColor = 1;
	} else if (env.FORCE_COLOR === 'false') {
		forceColor = 0;
	} else {
		forceColor = env.FORCE_COLOR.length === 0 ? 1 : Math.min(parseInt(env.FORCE_COLOR, 10), 3);
	}
}

function translateLevel(level) {
	if (level === 0) {
		return false;
	}

	return {
		level,
		hasBasic: true,
		has256: level >= 2,
		has16m: level >= 3
	};
}

function supportsColor(haveStream, streamIsTTY) {
	if (forceColor === 0) {
		return 0;
	}

	if (hasFlag('color=16m') ||
		hasFlag('color=full') ||
		hasFlag('color=truecolor')) {
		return 3;
	}

	if (hasFlag('color=256')) {
		return 2;
	}

	if (haveStream && !streamIsTTY && forceColor === undefined) {
		return 0;
	}

	const min = forceColor || 0;

	if (env.TERM === 'dumb') {
		return min;
	}

	if (process.platform === 'win32') {
		// Windows 10 build 10586 is the first Windows release that supports 256 colors.
		// Windows 10 build 14931 is the first release that supports 16m/TrueColor.
		const osRelease = os.release().split('.');
		if (
			Number(osRelease[0]) >= 10 &&
			Number(osRelease[2]) >= 10586
		) {
			return Number(osRelease[2]) >= 14931 ? 3 : 2;
		}

		return 1;
	}

	if ('CI' in env) {
		if (['TRAVIS', 'CIRCLECI', 'APPVEYOR', 'GITLAB_CI', 'GITHUB_ACTIONS', 'BUILDKITE'].some(sign => sign in env) || env.CI_NAME === 'codeship') {
			return 1;
		}

		return min;
	}

	if ('TEAMCITY_VERSION' in env) {
		return /^(9\.(0*[1-9]\d*)\.|\d{2,}\.)/.test(env.TEAMCITY_VERSION) ? 1 : 0;
	}

	if (env.COLORTERM === 'truecolor') {
		return 3;
	}

	if ('TERM_PROGRAM' in env) {
		const version = parseInt((env.TERM_PROGRAM_VERSION || '').split('.')[0], 10);

		switch (env.TERM_PROGRAM) {
			case 'iTerm.app':
				return version >= 3 ? 3 : 2;
			case 'Apple_Terminal':
				return 2;
			// No default
		}
	}

	if (/-256(color)?$/i.test(env.TERM)) {
		return 2;
	}

	if (/^screen|^xterm|^vt100|^vt220|^rxvt|color|ansi|cygwin|linux/i.test(env.TERM)) {
		return 1;
	}

	if ('COLORTERM' in env) {
		return 1;
	}

	return min;
}

function getSupportLevel(stream) {
	const level = supportsColor(stream, stream && stream.isTTY);
	return translateLevel(level);
}

module.exports = {
	supportsColor: getSupportLevel,
	stdout: translateLevel(supportsColor(true, tty.isatty(1))),
	stderr: translateLevel(supportsColor(true, tty.isatty(2)))
};


/***/ }),

/***/ 1552:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



var punycode = __nccwpck_require__(4876);
var mappingTable = __nccwpck_require__(2472);

var PROCESSING_OPTIONS = {
  TRANSITIONAL: 0,
  NONTRANSITIONAL: 1
};

function normalize(str) { // fix bug in v8
  return str.split('\u0000').map(function (s) { return s.normalize('NFC'); }).join('\u0000');
}

function findStatus(val) {
  var start = 0;
  var end = mappingTable.length - 1;

  while (start <= end) {
    var mid = Math.floor((start + end) / 2);

    var target = mappingTable[mid];
    if (target[0][0] <= val && target[0][1] >= val) {
      return target;
    } else if (target[0][0] > val) {
      end = mid - 1;
    } else {
      start = mid + 1;
    }
  }

  return null;
}

var regexAstralSymbols = /[\uD800-\uDBFF][\uDC00-\uDFFF]/g;

function countSymbols(string) {
  return string
    // replace every surrogate pair with a BMP symbol
    .replace(regexAstralSymbols, '_')
    // then get the length
    .length;
}

function mapChars(domain_name, useSTD3, processing_option) {
  var hasError = false;
  var processed = "";

  var len = countSymbols(domain_name);
  for (var i = 0; i < len; ++i) {
    var codePoint = domain_name.codePointAt(i);
    var status = findStatus(codePoint);

    switch (status[1]) {
      case "disallowed":
        hasError = true;
        processed += String.fromCodePoint(codePoint);
        break;
      case "ignored":
        break;
      case "mapped":
        processed += String.fromCodePoint.apply(String, status[2]);
        break;
      case "deviation":
        if (processing_option === PROCESSING_OPTIONS.TRANSITIONAL) {
          processed += String.fromCodePoint.apply(String, status[2]);
        } else {
          processed += String.fromCodePoint(codePoint);
        }
        break;
      case "valid":
        processed += String.fromCodePoint(codePoint);
        break;
      case "disallowed_STD3_mapped":
        if (useSTD3) {
          hasError = true;
          processed += String.fromCodePoint(codePoint);
        } else {
          processed += String.fromCodePoint.apply(String, status[2]);
        }
        break;
      case "disallowed_STD3_valid":
        if (useSTD3) {
          hasError = true;
        }

        processed += String.fromCodePoint(codePoint);
        break;
    }
  }

  return {
    string: processed,
    error: hasError
  };
}

var combiningMarksRegex = /[\u0300-\u036F\u0483-\u0489\u0591-\u05BD\u05BF\u05C1\u05C2\u05C4\u05C5\u05C7\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06DC\u06DF-\u06E4\u06E7\u06E8\u06EA-\u06ED\u0711\u0730-\u074A\u07A6-\u07B0\u07EB-\u07F3\u0816-\u0819\u081B-\u0823\u0825-\u0827\u0829-\u082D\u0859-\u085B\u08E4-\u0903\u093A-\u093C\u093E-\u094F\u0951-\u0957\u0962\u0963\u0981-\u0983\u09BC\u09BE-\u09C4\u09C7\u09C8\u09CB-\u09CD\u09D7\u09E2\u09E3\u0A01-\u0A03\u0A3C\u0A3E-\u0A42\u0A47\u0A48\u0A4B-\u0A4D\u0A51\u0A70\u0A71\u0A75\u0A81-\u0A83\u0ABC\u0ABE-\u0AC5\u0AC7-\u0AC9\u0ACB-\u0ACD\u0AE2\u0AE3\u0B01-\u0B03\u0B3C\u0B3E-\u0B44\u0B47\u0B48\u0B4B-\u0B4D\u0B56\u0B57\u0B62\u0B63\u0B82\u0BBE-\u0BC2\u0BC6-\u0BC8\u0BCA-\u0BCD\u0BD7\u0C00-\u0C03\u0C3E-\u0C44\u0C46-\u0C48\u0C4A-\u0C4D\u0C55\u0C56\u0C62\u0C63\u0C81-\u0C83\u0CBC\u0CBE-\u0CC4\u0CC6-\u0CC8\u0CCA-\u0CCD\u0CD5\u0CD6\u0CE2\u0CE3\u0D01-\u0D03\u0D3E-\u0D44\u0D46-\u0D48\u0D4A-\u0D4D\u0D57\u0D62\u0D63\u0D82\u0D83\u0DCA\u0DCF-\u0DD4\u0DD6\u0DD8-\u0DDF\u0DF2\u0DF3\u0E31\u0E34-\u0E3A\u0E47-\u0E4E\u0EB1\u0EB4-\u0EB9\u0EBB\u0EBC\u0EC8-\u0ECD\u0F18\u0F19\u0F35\u0F37\u0F39\u0F3E\u0F3F\u0F71-\u0F84\u0F86\u0F87\u0F8D-\u0F97\u0F99-\u0FBC\u0FC6\u102B-\u103E\u1056-\u1059\u105E-\u1060\u1062-\u1064\u1067-\u106D\u1071-\u1074\u1082-\u108D\u108F\u109A-\u109D\u135D-\u135F\u1712-\u1714\u1732-\u1734\u1752\u1753\u1772\u1773\u17B4-\u17D3\u17DD\u180B-\u180D\u18A9\u1920-\u192B\u1930-\u193B\u19B0-\u19C0\u19C8\u19C9\u1A17-\u1A1B\u1A55-\u1A5E\u1A60-\u1A7C\u1A7F\u1AB0-\u1ABE\u1B00-\u1B04\u1B34-\u1B44\u1B6B-\u1B73\u1B80-\u1B82\u1BA1-\u1BAD\u1BE6-\u1BF3\u1C24-\u1C37\u1CD0-\u1CD2\u1CD4-\u1CE8\u1CED\u1CF2-\u1CF4\u1CF8\u1CF9\u1DC0-\u1DF5\u1DFC-\u1DFF\u20D0-\u20F0\u2CEF-\u2CF1\u2D7F\u2DE0-\u2DFF\u302A-\u302F\u3099\u309A\uA66F-\uA672\uA674-\uA67D\uA69F\uA6F0\uA6F1\uA802\uA806\uA80B\uA823-\uA827\uA880\uA881\uA8B4-\uA8C4\uA8E0-\uA8F1\uA926-\uA92D\uA947-\uA953\uA980-\uA983\uA9B3-\uA9C0\uA9E5\uAA29-\uAA36\uAA43\uAA4C\uAA4D\uAA7B-\uAA7D\uAAB0\uAAB2-\uAAB4\uAAB7\uAAB8\uAABE\uAABF\uAAC1\uAAEB-\uAAEF\uAAF5\uAAF6\uABE3-\uABEA\uABEC\uABED\uFB1E\uFE00-\uFE0F\uFE20-\uFE2D]|\uD800[\uDDFD\uDEE0\uDF76-\uDF7A]|\uD802[\uDE01-\uDE03\uDE05\uDE06\uDE0C-\uDE0F\uDE38-\uDE3A\uDE3F\uDEE5\uDEE6]|\uD804[\uDC00-\uDC02\uDC38-\uDC46\uDC7F-\uDC82\uDCB0-\uDCBA\uDD00-\uDD02\uDD27-\uDD34\uDD73\uDD80-\uDD82\uDDB3-\uDDC0\uDE2C-\uDE37\uDEDF-\uDEEA\uDF01-\uDF03\uDF3C\uDF3E-\uDF44\uDF47\uDF48\uDF4B-\uDF4D\uDF57\uDF62\uDF63\uDF66-\uDF6C\uDF70-\uDF74]|\uD805[\uDCB0-\uDCC3\uDDAF-\uDDB5\uDDB8-\uDDC0\uDE30-\uDE40\uDEAB-\uDEB7]|\uD81A[\uDEF0-\uDEF4\uDF30-\uDF36]|\uD81B[\uDF51-\uDF7E\uDF8F-\uDF92]|\uD82F[\uDC9D\uDC9E]|\uD834[\uDD65-\uDD69\uDD6D-\uDD72\uDD7B-\uDD82\uDD85-\uDD8B\uDDAA-\uDDAD\uDE42-\uDE44]|\uD83A[\uDCD0-\uDCD6]|\uDB40[\uDD00-\uDDEF]/;

function validateLabel(label, processing_option) {
  if (label.substr(0, 4) === "xn--") {
    label = punycode.toUnicode(label);
    processing_option = PROCESSING_OPTIONS.NONTRANSITIONAL;
  }

  var error = false;

  if (normalize(label) !== label ||
      (label[3] === "-" && label[4] === "-") ||
      label[0] === "-" || label[label.length - 1] === "-" ||
      label.indexOf(".") !== -1 ||
      label.search(combiningMarksRegex) === 0) {
    error = true;
  }

  var len = countSymbols(label);
  for (var i = 0; i < len; ++i) {
    var status = findStatus(label.codePointAt(i));
    if ((processing === PROCESSING_OPTIONS.TRANSITIONAL && status[1] !== "valid") ||
        (processing === PROCESSING_OPTIONS.NONTRANSITIONAL &&
         status[1] !== "valid" && status[1] !== "deviation")) {
      error = true;
      break;
    }
  }

  return {
    label: label,
    error: error
  };
}

function processing(domain_name, useSTD3, processing_option) {
  var result = mapChars(domain_name, useSTD3, processing_option);
  result.string = normalize(result.string);

  var labels = result.string.split(".");
  for (var i = 0; i < labels.length; ++i) {
    try {
      var validation = validateLabel(labels[i]);
      labels[i] = validation.label;
      result.error = result.error || validation.error;
    } catch(e) {
      result.error = true;
    }
  }

  return {
    string: labels.join("."),
    error: result.error
  };
}

module.exports.toASCII = function(domain_name, useSTD3, processing_option, verifyDnsLength) {
  var result = processing(domain_name, useSTD3, processing_option);
  var labels = result.string.split(".");
  labels = labels.map(function(l) {
    try {
      return punycode.toASCII(l);
    } catch(e) {
      result.error = true;
      return l;
    }
  });

  if (verifyDnsLength) {
    var total = labels.slice(0, labels.length - 1).join(".").length;
    if (total.length > 253 || total.length === 0) {
      result.error = true;
    }

    for (var i=0; i < labels.length; ++i) {
      if (labels.length > 63 || labels.length === 0) {
        result.error = true;
        break;
      }
    }
  }

  if (result.error) return null;
  return labels.join(".");
};

module.exports.toUnicode = function(domain_name, useSTD3) {
  var result = processing(domain_name, useSTD3, PROCESSING_OPTIONS.NONTRANSITIONAL);

  return {
    domain: result.string,
    error: result.error
  };
};

module.exports.PROCESSING_OPTIONS = PROCESSING_OPTIONS;


/***/ }),

/***/ 7125:
/***/ ((module) => {



var conversions = {};
module.exports = conversions;

function sign(x) {
    return x < 0 ? -1 : 1;
}

function evenRound(x) {
    // Round x to the nearest integer, choosing the even integer if it lies halfway between two.
    if ((x % 1) === 0.5 && (x & 1) === 0) { // [even number].5; round down (i.e. floor)
        return Math.floor(x);
    } else {
        return Math.round(x);
    }
}

function createNumberConversion(bitLength, typeOpts) {
    if (!typeOpts.unsigned) {
        --bitLength;
    }
    const lowerBound = typeOpts.unsigned ? 0 : -Math.pow(2, bitLength);
    const upperBound = Math.pow(2, bitLength) - 1;

    const moduloVal = typeOpts.moduloBitLength ? Math.pow(2, typeOpts.moduloBitLength) : Math.pow(2, bitLength);
    const moduloBound = typeOpts.moduloBitLength ? Math.pow(2, typeOpts.moduloBitLength - 1) : Math.pow(2, bitLength - 1);

    return function(V, opts) {
        if (!opts) opts = {};

        let x = +V;

        if (opts.enforceRange) {
            if (!Number.isFinite(x)) {
                throw new TypeError("Argument is not a finite number");
            }

            x = sign(x) * Math.floor(Math.abs(x));
            if (x < lowerBound || x > upperBound) {
                throw new TypeError("Argument is not in byte range");
            }

            return x;
        }

        if (!isNaN(x) && opts.clamp) {
            x = evenRound(x);

            if (x < lowerBound) x = lowerBound;
            if (x > upperBound) x = upperBound;
            return x;
        }

        if (!Number.isFinite(x) || x === 0) {
            return 0;
        }

        x = sign(x) * Math.floor(Math.abs(x));
        x = x % moduloVal;

        if (!typeOpts.unsigned && x >= moduloBound) {
            return x - moduloVal;
        } else if (typeOpts.unsigned) {
            if (x < 0) {
              x += moduloVal;
            } else if (x === -0) { // don't return negative zero
              return 0;
            }
        }

        return x;
    }
}

conversions["void"] = function () {
    return undefined;
};

conversions["boolean"] = function (val) {
    return !!val;
};

conversions["byte"] = createNumberConversion(8, { unsigned: false });
conversions["octet"] = createNumberConversion(8, { unsigned: true });

conversions["short"] = createNumberConversion(16, { unsigned: false });
conversions["unsigned short"] = createNumberConversion(16, { unsigned: true });

conversions["long"] = createNumberConversion(32, { unsigned: false });
conversions["unsigned long"] = createNumberConversion(32, { unsigned: true });

conversions["long long"] = createNumberConversion(32, { unsigned: false, moduloBitLength: 64 });
conversions["unsigned long long"] = createNumberConversion(32, { unsigned: true, moduloBitLength: 64 });

conversions["double"] = function (V) {
    const x = +V;

    if (!Number.isFinite(x)) {
        throw new TypeError("Argument is not a finite floating-point value");
    }

    return x;
};

conversions["unrestricted double"] = function (V) {
    const x = +V;

    if (isNaN(x)) {
        throw new TypeError("Argument is NaN");
    }

    return x;
};

// not quite valid, but good enough for JS
conversions["float"] = conversions["double"];
conversions["unrestricted float"] = conversions["unrestricted double"];

conversions["DOMString"] = function (V, opts) {
    if (!opts) opts = {};

    if (opts.treatNullAsEmptyString && V === null) {
        return "";
    }

    return String(V);
};

conversions["ByteString"] = function (V, opts) {
    const x = String(V);
    let c = undefined;
    for (let i = 0; (c = x.codePointAt(i)) !== undefined; ++i) {
        if (c > 255) {
            throw new TypeError("Argument is not a valid bytestring");
        }
    }

    return x;
};

conversions["USVString"] = function (V) {
    const S = String(V);
    const n = S.length;
    const U = [];
    for (let i = 0; i < n; ++i) {
        const c = S.charCodeAt(i);
        if (c < 0xD800 || c > 0xDFFF) {
            U.push(String.fromCodePoint(c));
        } else if (0xDC00 <= c && c <= 0xDFFF) {
            U.push(String.fromCodePoint(0xFFFD));
        } else {
            if (i === n - 1) {
                U.push(String.fromCodePoint(0xFFFD));
            } else {
                const d = S.charCodeAt(i + 1);
                if (0xDC00 <= d && d <= 0xDFFF) {
                    const a = c & 0x3FF;
                    const b = d & 0x3FF;
                    U.push(String.fromCodePoint((2 << 15) + (2 << 9) * a + b));
                    ++i;
                } else {
                    U.push(String.fromCodePoint(0xFFFD));
                }
            }
        }
    }

    return U.join('');
};

conversions["Date"] = function (V, opts) {
    if (!(V instanceof Date)) {
        throw new TypeError("Argument is not a Date object");
    }
    if (isNaN(V)) {
        return undefined;
    }

    return V;
};

conversions["RegExp"] = function (V, opts) {
    if (!(V instanceof RegExp)) {
        V = new RegExp(V);
    }

    return V;
};


/***/ }),

/***/ 3184:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {


const usm = __nccwpck_require__(905);

exports.implementation = class URLImpl {
  constructor(constructorArgs) {
    const url = constructorArgs[0];
    const base = constructorArgs[1];

    let parsedBase = null;
    if (base !== undefined) {
      parsedBase = usm.basicURLParse(base);
      if (parsedBase === "failure") {
        throw new TypeError("Invalid base URL");
      }
    }

    const parsedURL = usm.basicURLParse(url, { baseURL: parsedBase });
    if (parsedURL === "failure") {
      throw new TypeError("Invalid URL");
    }

    this._url = parsedURL;

    // TODO: query stuff
  }

  get href() {
    return usm.serializeURL(this._url);
  }

  set href(v) {
    const parsedURL = usm.basicURLParse(v);
    if (parsedURL === "failure") {
      throw new TypeError("Invalid URL");
    }

    this._url = parsedURL;
  }

  get origin() {
    return usm.serializeURLOrigin(this._url);
  }

  get protocol() {
    return this._url.scheme + ":";
  }

  set protocol(v) {
    usm.basicURLParse(v + ":", { url: this._url, stateOverride: "scheme start" });
  }

  get username() {
    return this._url.username;
  }

  set username(v) {
    if (usm.cannotHaveAUsernamePasswordPort(this._url)) {
      return;
    }

    usm.setTheUsername(this._url, v);
  }

  get password() {
    return this._url.password;
  }

  set password(v) {
    if (usm.cannotHaveAUsernamePasswordPort(this._url)) {
      return;
    }

    usm.setThePassword(this._url, v);
  }

  get host() {
    const url = this._url;

    if (url.host === null) {
      return "";
    }

    if (url.port === null) {
      return usm.serializeHost(url.host);
    }

    return usm.serializeHost(url.host) + ":" + usm.serializeInteger(url.port);
  }

  set host(v) {
    if (this._url.cannotBeABaseURL) {
      return;
    }

    usm.basicURLParse(v, { url: this._url, stateOverride: "host" });
  }

  get hostname() {
    if (this._url.host === null) {
      return "";
    }

    return usm.serializeHost(this._url.host);
  }

  set hostname(v) {
    if (this._url.cannotBeABaseURL) {
      return;
    }

    usm.basicURLParse(v, { url: this._url, stateOverride: "hostname" });
  }

  get port() {
    if (this._url.port === null) {
      return "";
    }

    return usm.serializeInteger(this._url.port);
  }

  set port(v) {
    if (usm.cannotHaveAUsernamePasswordPort(this._url)) {
      return;
    }

    if (v === "") {
      this._url.port = null;
    } else {
      usm.basicURLParse(v, { url: this._url, stateOverride: "port" });
    }
  }

  get pathname() {
    if (this._url.cannotBeABaseURL) {
      return this._url.path[0];
    }

    if (this._url.path.length === 0) {
      return "";
    }

    return "/" + this._url.path.join("/");
  }

  set pathname(v) {
    if (this._url.cannotBeABaseURL) {
      return;
    }

    this._url.path = [];
    usm.basicURLParse(v, { url: this._url, stateOverride: "path start" });
  }

  get search() {
    if (this._url.query === null || this._url.query === "") {
      return "";
    }

    return "?" + this._url.query;
  }

  set search(v) {
    // TODO: query stuff

    const url = this._url;

    if (v === "") {
      url.query = null;
      return;
    }

    const input = v[0] === "?" ? v.substring(1) : v;
    url.query = "";
    usm.basicURLParse(input, { url, stateOverride: "query" });
  }

  get hash() {
    if (this._url.fragment === null || this._url.fragment === "") {
      return "";
    }

    return "#" + this._url.fragment;
  }

  set hash(v) {
    if (v === "") {
      this._url.fragment = null;
      return;
    }

    const input = v[0] === "#" ? v.substring(1) : v;
    this._url.fragment = "";
    usm.basicURLParse(input, { url: this._url, stateOverride: "fragment" });
  }

  toJSON() {
    return this.href;
  }
};


/***/ }),

/***/ 6633:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const conversions = __nccwpck_require__(7125);
const utils = __nccwpck_require__(9857);
const Impl = __nccwpck_require__(3184);

const impl = utils.implSymbol;

function URL(url) {
  if (!this || this[impl] || !(this instanceof URL)) {
    throw new TypeError("Failed to construct 'URL': Please use the 'new' operator, this DOM object constructor cannot be called as a function.");
  }
  if (arguments.length < 1) {
    throw new TypeError("Failed to construct 'URL': 1 argument required, but only " + arguments.length + " present.");
  }
  const args = [];
  for (let i = 0; i < arguments.length && i < 2; ++i) {
    args[i] = arguments[i];
  }
  args[0] = conversions["USVString"](args[0]);
  if (args[1] !== undefined) {
  args[1] = conversions["USVString"](args[1]);
  }

  module.exports.setup(this, args);
}

URL.prototype.toJSON = function toJSON() {
  if (!this || !module.exports.is(this)) {
    throw new TypeError("Illegal invocation");
  }
  const args = [];
  for (let i = 0; i < arguments.length && i < 0; ++i) {
    args[i] = arguments[i];
  }
  return this[impl].toJSON.apply(this[impl], args);
};
Object.defineProperty(URL.prototype, "href", {
  get() {
    return this[impl].href;
  },
  set(V) {
    V = conversions["USVString"](V);
    this[impl].href = V;
  },
  enumerable: true,
  configurable: true
});

URL.prototype.toString = function () {
  if (!this || !module.exports.is(this)) {
    throw new TypeError("Illegal invocation");
  }
  return this.href;
};

Object.defineProperty(URL.prototype, "origin", {
  get() {
    return this[impl].origin;
  },
  enumerable: true,
  configurable: true
});

Object.defineProperty(URL.prototype, "protocol", {
  get() {
    return this[impl].protocol;
  },
  set(V) {
    V = conversions["USVString"](V);
    this[impl].protocol = V;
  },
  enumerable: true,
  configurable: true
});

Object.defineProperty(URL.prototype, "username", {
  get() {
    return this[impl].username;
  },
  set(V) {
    V = conversions["USVString"](V);
    this[impl].username = V;
  },
  enumerable: true,
  configurable: true
});

Object.defineProperty(URL.prototype, "password", {
  get() {
    return this[impl].password;
  },
  set(V) {
    V = conversions["USVString"](V);
    this[impl].password = V;
  },
  enumerable: true,
  configurable: true
});

Object.defineProperty(URL.prototype, "host", {
  get() {
    return this[impl].host;
  },
  set(V) {
    V = conversions["USVString"](V);
    this[impl].host = V;
  },
  enumerable: true,
  configurable: true
});

Object.defineProperty(URL.prototype, "hostname", {
  get() {
    return this[impl].hostname;
  },
  set(V) {
    V = conversions["USVString"](V);
    this[impl].hostname = V;
  },
  enumerable: true,
  configurable: true
});

Object.defineProperty(URL.prototype, "port", {
  get() {
    return this[impl].port;
  },
  set(V) {
    V = conversions["USVString"](V);
    this[impl].port = V;
  },
  enumerable: true,
  configurable: true
});

Object.defineProperty(URL.prototype, "pathname", {
  get() {
    return this[impl].pathname;
  },
  set(V) {
    V = conversions["USVString"](V);
    this[impl].pathname = V;
  },
  enumerable: true,
  configurable: true
});

Object.defineProperty(URL.prototype, "search", {
  get() {
    return this[impl].search;
  },
  set(V) {
    V = conversions["USVString"](V);
    this[impl].search = V;
  },
  enumerable: true,
  configurable: true
});

Object.defineProperty(URL.prototype, "hash", {
  get() {
    return this[impl].hash;
  },
  set(V) {
    V = conversions["USVString"](V);
    this[impl].hash = V;
  },
  enumerable: true,
  configurable: true
});


module.exports = {
  is(obj) {
    return !!obj && obj[impl] instanceof Impl.implementation;
  },
  create(constructorArgs, privateData) {
    let obj = Object.create(URL.prototype);
    this.setup(obj, constructorArgs, privateData);
    return obj;
  },
  setup(obj, constructorArgs, privateData) {
    if (!privateData) privateData = {};
    privateData.wrapper = obj;

    obj[impl] = new Impl.implementation(constructorArgs, privateData);
    obj[impl][utils.wrapperSymbol] = obj;
  },
  interface: URL,
  expose: {
    Window: { URL: URL },
    Worker: { URL: URL }
  }
};



/***/ }),

/***/ 2686:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



exports.URL = __nccwpck_require__(6633)["interface"];
exports.serializeURL = __nccwpck_require__(905).serializeURL;
exports.serializeURLOrigin = __nccwpck_require__(905).serializeURLOrigin;
exports.basicURLParse = __nccwpck_require__(905).basicURLParse;
exports.setTheUsername = __nccwpck_require__(905).setTheUsername;
exports.setThePassword = __nccwpck_require__(905).setThePassword;
exports.serializeHost = __nccwpck_require__(905).serializeHost;
exports.serializeInteger = __nccwpck_require__(905).serializeInteger;
exports.parseURL = __nccwpck_require__(905).parseURL;


/***/ }),

/***/ 905:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {


const punycode = __nccwpck_require__(4876);
const tr46 = __nccwpck_require__(1552);

const specialSchemes = {
  ftp: 21,
  file: null,
  gopher: 70,
  http: 80,
  https: 443,
  ws: 80,
  wss: 443
};

const failure = Symbol("failure");

function countSymbols(str) {
  return punycode.ucs2.decode(str).length;
}

function at(input, idx) {
  const c = input[idx];
  return isNaN(c) ? undefined : String.fromCodePoint(c);
}

function isASCIIDigit(c) {
  return c >= 0x30 && c <= 0x39;
}

function isASCIIAlpha(c) {
  return (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A);
}

function isASCIIAlphanumeric(c) {
  return isASCIIAlpha(c) || isASCIIDigit(c);
}

function isASCIIHex(c) {
  return isASCIIDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function isSingleDot(buffer) {
  return buffer === "." || buffer.toLowerCase() === "%2e";
}

function isDoubleDot(buffer) {
  buffer = buffer.toLowerCase();
  return buffer === ".." || buffer === "%2e." || buffer === ".%2e" || buffer === "%2e%2e";
}

function isWindowsDriveLetterCodePoints(cp1, cp2) {
  return isASCIIAlpha(cp1) && (cp2 === 58 || cp2 === 124);
}

function isWindowsDriveLetterString(string) {
  return string.length === 2 && isASCIIAlpha(string.codePointAt(0)) && (string[1] === ":" || string[1] === "|");
}

function isNormalizedWindowsDriveLetterString(string) {
  return string.length === 2 && isASCIIAlpha(string.codePointAt(0)) && string[1] === ":";
}

function containsForbiddenHostCodePoint(string) {
  return string.search(/\u0000|\u0009|\u000A|\u000D|\u0020|#|%|\/|:|\?|@|\[|\\|\]/) !== -1;
}

function containsForbiddenHostCodePointExcludingPercent(string) {
  return string.search(/\u0000|\u0009|\u000A|\u000D|\u0020|#|\/|:|\?|@|\[|\\|\]/) !== -1;
}

function isSpecialScheme(scheme) {
  return specialSchemes[scheme] !== undefined;
}

function isSpecial(url) {
  return isSpecialScheme(url.scheme);
}

function defaultPort(scheme) {
  return specialSchemes[scheme];
}

function percentEncode(c) {
  let hex = c.toString(16).toUpperCase();
  if (hex.length === 1) {
    hex = "0" + hex;
  }

  return "%" + hex;
}

function utf8PercentEncode(c) {
  const buf = new Buffer(c);

  let str = "";

  for (let i = 0; i < buf.length; ++i) {
    str += percentEncode(buf[i]);
  }

  return str;
}

function utf8PercentDecode(str) {
  const input = new Buffer(str);
  const output = [];
  for (let i = 0; i < input.length; ++i) {
    if (input[i] !== 37) {
      output.push(input[i]);
    } else if (input[i] === 37 && isASCIIHex(input[i + 1]) && isASCIIHex(input[i + 2])) {
      output.push(parseInt(input.slice(i + 1, i + 3).toString(), 16));
      i += 2;
    } else {
      output.push(input[i]);
    }
  }
  return new Buffer(output).toString();
}

function isC0ControlPercentEncode(c) {
  return c <= 0x1F || c > 0x7E;
}

const extraPathPercentEncodeSet = new Set([32, 34, 35, 60, 62, 63, 96, 123, 125]);
function isPathPercentEncode(c) {
  return isC0ControlPercentEncode(c) || extraPathPercentEncodeSet.has(c);
}

const extraUserinfoPercentEncodeSet =
  new Set([47, 58, 59, 61, 64, 91, 92, 93, 94, 124]);
function isUserinfoPercentEncode(c) {
  return isPathPercentEncode(c) || extraUserinfoPercentEncodeSet.has(c);
}

function percentEncodeChar(c, encodeSetPredicate) {
  const cStr = String.fromCodePoint(c);

  if (encodeSetPredicate(c)) {
    return utf8PercentEncode(cStr);
  }

  return cStr;
}

function parseIPv4Number(input) {
  let R = 10;

  if (input.length >= 2 && input.charAt(0) === "0" && input.charAt(1).toLowerCase() === "x") {
    input = input.substring(2);
    R = 16;
  } else if (input.length >= 2 && input.charAt(0) === "0") {
    input = input.substring(1);
    R = 8;
  }

  if (input === "") {
    return 0;
  }

  const regex = R === 10 ? /[^0-9]/ : (R === 16 ? /[^0-9A-Fa-f]/ : /[^0-7]/);
  if (regex.test(input)) {
    return failure;
  }

  return parseInt(input, R);
}

function parseIPv4(input) {
  const parts = input.split(".");
  if (parts[parts.length - 1] === "") {
    if (parts.length > 1) {
      parts.pop();
    }
  }

  if (parts.length > 4) {
    return input;
  }

  const numbers = [];
  for (const part of parts) {
    if (part === "") {
      return input;
    }
    const n = parseIPv4Number(part);
    if (n === failure) {
      return input;
    }

    numbers.push(n);
  }

  for (let i = 0; i < numbers.length - 1; ++i) {
    if (numbers[i] > 255) {
      return failure;
    }
  }
  if (numbers[numbers.length - 1] >= Math.pow(256, 5 - numbers.length)) {
    return failure;
  }

  let ipv4 = numbers.pop();
  let counter = 0;

  for (const n of numbers) {
    ipv4 += n * Math.pow(256, 3 - counter);
    ++counter;
  }

  return ipv4;
}

function serializeIPv4(address) {
  let output = "";
  let n = address;

  for (let i = 1; i <= 4; ++i) {
    output = String(n % 256) + output;
    if (i !== 4) {
      output = "." + output;
    }
    n = Math.floor(n / 256);
  }

  return output;
}

function parseIPv6(input) {
  const address = [0, 0, 0, 0, 0, 0, 0, 0];
  let pieceIndex = 0;
  let compress = null;
  let pointer = 0;

  input = punycode.ucs2.decode(input);

  if (input[pointer] === 58) {
    if (input[pointer + 1] !== 58) {
      return failure;
    }

    pointer += 2;
    ++pieceIndex;
    compress = pieceIndex;
  }

  while (pointer < input.length) {
    if (pieceIndex === 8) {
      return failure;
    }

    if (input[pointer] === 58) {
      if (compress !== null) {
        return failure;
      }
      ++pointer;
      ++pieceIndex;
      compress = pieceIndex;
      continue;
    }

    let value = 0;
    let length = 0;

    while (length < 4 && isASCIIHex(input[pointer])) {
      value = value * 0x10 + parseInt(at(input, pointer), 16);
      ++pointer;
      ++length;
    }

    if (input[pointer] === 46) {
      if (length === 0) {
        return failure;
      }

      pointer -= length;

      if (pieceIndex > 6) {
        return failure;
      }

      let numbersSeen = 0;

      while (input[pointer] !== undefined) {
        let ipv4Piece = null;

        if (numbersSeen > 0) {
          if (input[pointer] === 46 && numbersSeen < 4) {
            ++pointer;
          } else {
            return failure;
          }
        }

        if (!isASCIIDigit(input[pointer])) {
          return failure;
        }

        while (isASCIIDigit(input[pointer])) {
          const number = parseInt(at(input, pointer));
          if (ipv4Piece === null) {
            ipv4Piece = number;
          } else if (ipv4Piece === 0) {
            return failure;
          } else {
            ipv4Piece = ipv4Piece * 10 + number;
          }
          if (ipv4Piece > 255) {
            return failure;
          }
          ++pointer;
        }

        address[pieceIndex] = address[pieceIndex] * 0x100 + ipv4Piece;

        ++numbersSeen;

        if (numbersSeen === 2 || numbersSeen === 4) {
          ++pieceIndex;
        }
      }

      if (numbersSeen !== 4) {
        return failure;
      }

      break;
    } else if (input[pointer] === 58) {
      ++pointer;
      if (input[pointer] === undefined) {
        return failure;
      }
    } else if (input[pointer] !== undefined) {
      return failure;
    }

    address[pieceIndex] = value;
    ++pieceIndex;
  }

  if (compress !== null) {
    let swaps = pieceIndex - compress;
    pieceIndex = 7;
    while (pieceIndex !== 0 && swaps > 0) {
      const temp = address[compress + swaps - 1];
      address[compress + swaps - 1] = address[pieceIndex];
      address[pieceIndex] = temp;
      --pieceIndex;
      --swaps;
    }
  } else if (compress === null && pieceIndex !== 8) {
    return failure;
  }

  return address;
}

function serializeIPv6(address) {
  let output = "";
  const seqResult = findLongestZeroSequence(address);
  const compress = seqResult.idx;
  let ignore0 = false;

  for (let pieceIndex = 0; pieceIndex <= 7; ++pieceIndex) {
    if (ignore0 && address[pieceIndex] === 0) {
      continue;
    } else if (ignore0) {
      ignore0 = false;
    }

    if (compress === pieceIndex) {
      const separator = pieceIndex === 0 ? "::" : ":";
      output += separator;
      ignore0 = true;
      continue;
    }

    output += address[pieceIndex].toString(16);

    if (pieceIndex !== 7) {
      output += ":";
    }
  }

  return output;
}

function parseHost(input, isSpecialArg) {
  if (input[0] === "[") {
    if (input[input.length - 1] !== "]") {
      return failure;
    }

    return parseIPv6(input.substring(1, input.length - 1));
  }

  if (!isSpecialArg) {
    return parseOpaqueHost(input);
  }

  const domain = utf8PercentDecode(input);
  const asciiDomain = tr46.toASCII(domain, false, tr46.PROCESSING_OPTIONS.NONTRANSITIONAL, false);
  if (asciiDomain === null) {
    return failure;
  }

  if (containsForbiddenHostCodePoint(asciiDomain)) {
    return failure;
  }

  const ipv4Host = parseIPv4(asciiDomain);
  if (typeof ipv4Host === "number" || ipv4Host === failure) {
    return ipv4Host;
  }

  return asciiDomain;
}

function parseOpaqueHost(input) {
  if (containsForbiddenHostCodePointExcludingPercent(input)) {
    return failure;
  }

  let output = "";
  const decoded = punycode.ucs2.decode(input);
  for (let i = 0; i < decoded.length; ++i) {
    output += percentEncodeChar(decoded[i], isC0ControlPercentEncode);
  }
  return output;
}

function findLongestZeroSequence(arr) {
  let maxIdx = null;
  let maxLen = 1; // only find elements > 1
  let currStart = null;
  let currLen = 0;

  for (let i = 0; i < arr.length; ++i) {
    if (arr[i] !== 0) {
      if (currLen > maxLen) {
        maxIdx = currStart;
        maxLen = currLen;
      }

      currStart = null;
      currLen = 0;
    } else {
      if (currStart === null) {
        currStart = i;
      }
      ++currLen;
    }
  }

  // if trailing zeros
  if (currLen > maxLen) {
    maxIdx = currStart;
    maxLen = currLen;
  }

  return {
    idx: maxIdx,
    len: maxLen
  };
}

function serializeHost(host) {
  if (typeof host === "number") {
    return serializeIPv4(host);
  }

  // IPv6 serializer
  if (host instanceof Array) {
    return "[" + serializeIPv6(host) + "]";
  }

  return host;
}

function trimControlChars(url) {
  return url.replace(/^[\u0000-\u001F\u0020]+|[\u0000-\u001F\u0020]+$/g, "");
}

function trimTabAndNewline(url) {
  return url.replace(/\u0009|\u000A|\u000D/g, "");
}

function shortenPath(url) {
  const path = url.path;
  if (path.length === 0) {
    return;
  }
  if (url.scheme === "file" && path.length === 1 && isNormalizedWindowsDriveLetter(path[0])) {
    return;
  }

  path.pop();
}

function includesCredentials(url) {
  return url.username !== "" || url.password !== "";
}

function cannotHaveAUsernamePasswordPort(url) {
  return url.host === null || url.host === "" || url.cannotBeABaseURL || url.scheme === "file";
}

function isNormalizedWindowsDriveLetter(string) {
  return /^[A-Za-z]:$/.test(string);
}

function URLStateMachine(input, base, encodingOverride, url, stateOverride) {
  this.pointer = 0;
  this.input = input;
  this.base = base || null;
  this.encodingOverride = encodingOverride || "utf-8";
  this.stateOverride = stateOverride;
  this.url = url;
  this.failure = false;
  this.parseError = false;

  if (!this.url) {
    this.url = {
      scheme: "",
      username: "",
      password: "",
      host: null,
      port: null,
      path: [],
      query: null,
      fragment: null,

      cannotBeABaseURL: false
    };

    const res = trimControlChars(this.input);
    if (res !== this.input) {
      this.parseError = true;
    }
    this.input = res;
  }

  const res = trimTabAndNewline(this.input);
  if (res !== this.input) {
    this.parseError = true;
  }
  this.input = res;

  this.state = stateOverride || "scheme start";

  this.buffer = "";
  this.atFlag = false;
  this.arrFlag = false;
  this.passwordTokenSeenFlag = false;

  this.input = punycode.ucs2.decode(this.input);

  for (; this.pointer <= this.input.length; ++this.pointer) {
    const c = this.input[this.pointer];
    const cStr = isNaN(c) ? undefined : String.fromCodePoint(c);

    // exec state machine
    const ret = this["parse " + this.state](c, cStr);
    if (!ret) {
      break; // terminate algorithm
    } else if (ret === failure) {
      this.failure = true;
      break;
    }
  }
}

URLStateMachine.prototype["parse scheme start"] = function parseSchemeStart(c, cStr) {
  if (isASCIIAlpha(c)) {
    this.buffer += cStr.toLowerCase();
    this.state = "scheme";
  } else if (!this.stateOverride) {
    this.state = "no scheme";
    --this.pointer;
  } else {
    this.parseError = true;
    return failure;
  }

  return true;
};

URLStateMachine.prototype["parse scheme"] = function parseScheme(c, cStr) {
  if (isASCIIAlphanumeric(c) || c === 43 || c === 45 || c === 46) {
    this.buffer += cStr.toLowerCase();
  } else if (c === 58) {
    if (this.stateOverride) {
      if (isSpecial(this.url) && !isSpecialScheme(this.buffer)) {
        return false;
      }

      if (!isSpecial(this.url) && isSpecialScheme(this.buffer)) {
        return false;
      }

      if ((includesCredentials(this.url) || this.url.port !== null) && this.buffer === "file") {
        return false;
      }

      if (this.url.scheme === "file" && (this.url.host === "" || this.url.host === null)) {
        return false;
      }
    }
    this.url.scheme = this.buffer;
    this.buffer = "";
    if (this.stateOverride) {
      return false;
    }
    if (this.url.scheme === "file") {
      if (this.input[this.pointer + 1] !== 47 || this.input[this.pointer + 2] !== 47) {
        this.parseError = true;
      }
      this.state = "file";
    } else if (isSpecial(this.url) && this.base !== null && this.base.scheme === this.url.scheme) {
      this.state = "special relative or authority";
    } else if (isSpecial(this.url)) {
      this.state = "special authority slashes";
    } else if (this.input[this.pointer + 1] === 47) {
      this.state = "path or authority";
      ++this.pointer;
    } else {
      this.url.cannotBeABaseURL = true;
      this.url.path.push("");
      this.state = "cannot-be-a-base-URL path";
    }
  } else if (!this.stateOverride) {
    this.buffer = "";
    this.state = "no scheme";
    this.pointer = -1;
  } else {
    this.parseError = true;
    return failure;
  }

  return true;
};

URLStateMachine.prototype["parse no scheme"] = function parseNoScheme(c) {
  if (this.base === null || (this.base.cannotBeABaseURL && c !== 35)) {
    return failure;
  } else if (this.base.cannotBeABaseURL && c === 35) {
    this.url.scheme = this.base.scheme;
    this.url.path = this.base.path.slice();
    this.url.query = this.base.query;
    this.url.fragment = "";
    this.url.cannotBeABaseURL = true;
    this.state = "fragment";
  } else if (this.base.scheme === "file") {
    this.state = "file";
    --this.pointer;
  } else {
    this.state = "relative";
    --this.pointer;
  }

  return true;
};

URLStateMachine.prototype["parse special relative or authority"] = function parseSpecialRelativeOrAuthority(c) {
  if (c === 47 && this.input[this.pointer + 1] === 47) {
    this.state = "special authority ignore slashes";
    ++this.pointer;
  } else {
    this.parseError = true;
    this.state = "relative";
    --this.pointer;
  }

  return true;
};

URLStateMachine.prototype["parse path or authority"] = function parsePathOrAuthority(c) {
  if (c === 47) {
    this.state = "authority";
  } else {
    this.state = "path";
    --this.pointer;
  }

  return true;
};

URLStateMachine.prototype["parse relative"] = function parseRelative(c) {
  this.url.scheme = this.base.scheme;
  if (isNaN(c)) {
    this.url.username = this.base.username;
    this.url.password = this.base.password;
    this.url.host = this.base.host;
    this.url.port = this.base.port;
    this.url.path = this.base.path.slice();
    this.url.query = this.base.query;
  } else if (c === 47) {
    this.state = "relative slash";
  } else if (c === 63) {
    this.url.username = this.base.username;
    this.url.password = this.base.password;
    this.url.host = this.base.host;
    this.url.port = this.base.port;
    this.url.path = this.base.path.slice();
    this.url.query = "";
    this.state = "query";
  } else if (c === 35) {
    this.url.username = this.base.username;
    this.url.password = this.base.password;
    this.url.host = this.base.host;
    this.url.port = this.base.port;
    this.url.path = this.base.path.slice();
    this.url.query = this.base.query;
    this.url.fragment = "";
    this.state = "fragment";
  } else if (isSpecial(this.url) && c === 92) {
    this.parseError = true;
    this.state = "relative slash";
  } else {
    this.url.username = this.base.username;
    this.url.password = this.base.password;
    this.url.host = this.base.host;
    this.url.port = this.base.port;
    this.url.path = this.base.path.slice(0, this.base.path.length - 1);

    this.state = "path";
    --this.pointer;
  }

  return true;
};

URLStateMachine.prototype["parse relative slash"] = function parseRelativeSlash(c) {
  if (isSpecial(this.url) && (c === 47 || c === 92)) {
    if (c === 92) {
      this.parseError = true;
    }
    this.state = "special authority ignore slashes";
  } else if (c === 47) {
    this.state = "authority";
  } else {
    this.url.username = this.base.username;
    this.url.password = this.base.password;
    this.url.host = this.base.host;
    this.url.port = this.base.port;
    this.state = "path";
    --this.pointer;
  }

  return true;
};

URLStateMachine.prototype["parse special authority slashes"] = function parseSpecialAuthoritySlashes(c) {
  if (c === 47 && this.input[this.pointer + 1] === 47) {
    this.state = "special authority ignore slashes";
    ++this.pointer;
  } else {
    this.parseError = true;
    this.state = "special authority ignore slashes";
    --this.pointer;
  }

  return true;
};

URLStateMachine.prototype["parse special authority ignore slashes"] = function parseSpecialAuthorityIgnoreSlashes(c) {
  if (c !== 47 && c !== 92) {
    this.state = "authority";
    --this.pointer;
  } else {
    this.parseError = true;
  }

  return true;
};

URLStateMachine.prototype["parse authority"] = function parseAuthority(c, cStr) {
  if (c === 64) {
    this.parseError = true;
    if (this.atFlag) {
      this.buffer = "%40" + this.buffer;
    }
    this.atFlag = true;

    // careful, this is based on buffer and has its own pointer (this.pointer != pointer) and inner chars
    const len = countSymbols(this.buffer);
    for (let pointer = 0; pointer < len; ++pointer) {
      const codePoint = this.buffer.codePointAt(pointer);

      if (codePoint === 58 && !this.passwordTokenSeenFlag) {
        this.passwordTokenSeenFlag = true;
        continue;
      }
      const encodedCodePoints = percentEncodeChar(codePoint, isUserinfoPercentEncode);
      if (this.passwordTokenSeenFlag) {
        this.url.password += encodedCodePoints;
      } else {
        this.url.username += encodedCodePoints;
      }
    }
    this.buffer = "";
  } else if (isNaN(c) || c === 47 || c === 63 || c === 35 ||
             (isSpecial(this.url) && c === 92)) {
    if (this.atFlag && this.buffer === "") {
      this.parseError = true;
      return failure;
    }
    this.pointer -= countSymbols(this.buffer) + 1;
    this.buffer = "";
    this.state = "host";
  } else {
    this.buffer += cStr;
  }

  return true;
};

URLStateMachine.prototype["parse hostname"] =
URLStateMachine.prototype["parse host"] = function parseHostName(c, cStr) {
  if (this.stateOverride && this.url.scheme === "file") {
    --this.pointer;
    this.state = "file host";
  } else if (c === 58 && !this.arrFlag) {
    if (this.buffer === "") {
      this.parseError = true;
      return failure;
    }

    const host = parseHost(this.buffer, isSpecial(this.url));
    if (host === failure) {
      return failure;
    }

    this.url.host = host;
    this.buffer = "";
    this.state = "port";
    if (this.stateOverride === "hostname") {
      return false;
    }
  } else if (isNaN(c) || c === 47 || c === 63 || c === 35 ||
             (isSpecial(this.url) && c === 92)) {
    --this.pointer;
    if (isSpecial(this.url) && this.buffer === "") {
      this.parseError = true;
      return failure;
    } else if (this.stateOverride && this.buffer === "" &&
               (includesCredentials(this.url) || this.url.port !== null)) {
      this.parseError = true;
      return false;
    }

    const host = parseHost(this.buffer, isSpecial(this.url));
    if (host === failure) {
      return failure;
    }

    this.url.host = host;
    this.buffer = "";
    this.state = "path start";
    if (this.stateOverride) {
      return false;
    }
  } else {
    if (c === 91) {
      this.arrFlag = true;
    } else if (c === 93) {
      this.arrFlag = false;
    }
    this.buffer += cStr;
  }

  return true;
};

URLStateMachine.prototype["parse port"] = function parsePort(c, cStr) {
  if (isASCIIDigit(c)) {
    this.buffer += cStr;
  } else if (isNaN(c) || c === 47 || c === 63 || c === 35 ||
             (isSpecial(this.url) && c === 92) ||
             this.stateOverride) {
    if (this.buffer !== "") {
      const port = parseInt(this.buffer);
      if (port > Math.pow(2, 16) - 1) {
        this.parseError = true;
        return failure;
      }
      this.url.port = port === defaultPort(this.url.scheme) ? null : port;
      this.buffer = "";
    }
    if (this.stateOverride) {
      return false;
    }
    this.state = "path start";
    --this.pointer;
  } else {
    this.parseError = true;
    return failure;
  }

  return true;
};

const fileOtherwiseCodePoints = new Set([47, 92, 63, 35]);

URLStateMachine.prototype["parse file"] = function parseFile(c) {
  this.url.scheme = "file";

  if (c === 47 || c === 92) {
    if (c === 92) {
      this.parseError = true;
    }
    this.state = "file slash";
  } else if (this.base !== null && this.base.scheme === "file") {
    if (isNaN(c)) {
      this.url.host = this.base.host;
      this.url.path = this.base.path.slice();
      this.url.query = this.base.query;
    } else if (c === 63) {
      this.url.host = this.base.host;
      this.url.path = this.base.path.slice();
      this.url.query = "";
      this.state = "query";
    } else if (c === 35) {
      this.url.host = this.base.host;
      this.url.path = this.base.path.slice();
      this.url.query = this.base.query;
      this.url.fragment = "";
      this.state = "fragment";
    } else {
      if (this.input.length - this.pointer - 1 === 0 || // remaining consists of 0 code points
          !isWindowsDriveLetterCodePoints(c, this.input[this.pointer + 1]) ||
          (this.input.length - this.pointer - 1 >= 2 && // remaining has at least 2 code points
           !fileOtherwiseCodePoints.has(this.input[this.pointer + 2]))) {
        this.url.host = this.base.host;
        this.url.path = this.base.path.slice();
        shortenPath(this.url);
      } else {
        this.parseError = true;
      }

      this.state = "path";
      --this.pointer;
    }
  } else {
    this.state = "path";
    --this.pointer;
  }

  return true;
};

URLStateMachine.prototype["parse file slash"] = function parseFileSlash(c) {
  if (c === 47 || c === 92) {
    if (c === 92) {
      this.parseError = true;
    }
    this.state = "file host";
  } else {
    if (this.base !== null && this.base.scheme === "file") {
      if (isNormalizedWindowsDriveLetterString(this.base.path[0])) {
        this.url.path.push(this.base.path[0]);
      } else {
        this.url.host = this.base.host;
      }
    }
    this.state = "path";
    --this.pointer;
  }

  return true;
};

URLStateMachine.prototype["parse file host"] = function parseFileHost(c, cStr) {
  if (isNaN(c) || c === 47 || c === 92 || c === 63 || c === 35) {
    --this.pointer;
    if (!this.stateOverride && isWindowsDriveLetterString(this.buffer)) {
      this.parseError = true;
      this.state = "path";
    } else if (this.buffer === "") {
      this.url.host = "";
      if (this.stateOverride) {
        return false;
      }
      this.state = "path start";
    } else {
      let host = parseHost(this.buffer, isSpecial(this.url));
      if (host === failure) {
        return failure;
      }
      if (host === "localhost") {
        host = "";
      }
      this.url.host = host;

      if (this.stateOverride) {
        return false;
      }

      this.buffer = "";
      this.state = "path start";
    }
  } else {
    this.buffer += cStr;
  }

  return true;
};

URLStateMachine.prototype["parse path start"] = function parsePathStart(c) {
  if (isSpecial(this.url)) {
    if (c === 92) {
      this.parseError = true;
    }
    this.state = "path";

    if (c !== 47 && c !== 92) {
      --this.pointer;
    }
  } else if (!this.stateOverride && c === 63) {
    this.url.query = "";
    this.state = "query";
  } else if (!this.stateOverride && c === 35) {
    this.url.fragment = "";
    this.state = "fragment";
  } else if (c !== undefined) {
    this.state = "path";
    if (c !== 47) {
      --this.pointer;
    }
  }

  return true;
};

URLStateMachine.prototype["parse path"] = function parsePath(c) {
  if (isNaN(c) || c === 47 || (isSpecial(this.url) && c === 92) ||
      (!this.stateOverride && (c === 63 || c === 35))) {
    if (isSpecial(this.url) && c === 92) {
      this.parseError = true;
    }

    if (isDoubleDot(this.buffer)) {
      shortenPath(this.url);
      if (c !== 47 && !(isSpecial(this.url) && c === 92)) {
        this.url.path.push("");
      }
    } else if (isSingleDot(this.buffer) && c !== 47 &&
               !(isSpecial(this.url) && c === 92)) {
      this.url.path.push("");
    } else if (!isSingleDot(this.buffer)) {
      if (this.url.scheme === "file" && this.url.path.length === 0 && isWindowsDriveLetterString(this.buffer)) {
        if (this.url.host !== "" && this.url.host !== null) {
          this.parseError = true;
          this.url.host = "";
        }
        this.buffer = this.buffer[0] + ":";
      }
      this.url.path.push(this.buffer);
    }
    this.buffer = "";
    if (this.url.scheme === "file" && (c === undefined || c === 63 || c === 35)) {
      while (this.url.path.length > 1 && this.url.path[0] === "") {
        this.parseError = true;
        this.url.path.shift();
      }
    }
    if (c === 63) {
      this.url.query = "";
      this.state = "query";
    }
    if (c === 35) {
      this.url.fragment = "";
      this.state = "fragment";
    }
  } else {
    // TODO: If c is not a URL code point and not "%", parse error.

    if (c === 37 &&
      (!isASCIIHex(this.input[this.pointer + 1]) ||
        !isASCIIHex(this.input[this.pointer + 2]))) {
      this.parseError = true;
    }

    this.buffer += percentEncodeChar(c, isPathPercentEncode);
  }

  return true;
};

URLStateMachine.prototype["parse cannot-be-a-base-URL path"] = function parseCannotBeABaseURLPath(c) {
  if (c === 63) {
    this.url.query = "";
    this.state = "query";
  } else if (c === 35) {
    this.url.fragment = "";
    this.state = "fragment";
  } else {
    // TODO: Add: not a URL code point
    if (!isNaN(c) && c !== 37) {
      this.parseError = true;
    }

    if (c === 37 &&
        (!isASCIIHex(this.input[this.pointer + 1]) ||
         !isASCIIHex(this.input[this.pointer + 2]))) {
      this.parseError = true;
    }

    if (!isNaN(c)) {
      this.url.path[0] = this.url.path[0] + percentEncodeChar(c, isC0ControlPercentEncode);
    }
  }

  return true;
};

URLStateMachine.prototype["parse query"] = function parseQuery(c, cStr) {
  if (isNaN(c) || (!this.stateOverride && c === 35)) {
    if (!isSpecial(this.url) || this.url.scheme === "ws" || this.url.scheme === "wss") {
      this.encodingOverride = "utf-8";
    }

    const buffer = new Buffer(this.buffer); // TODO: Use encoding override instead
    for (let i = 0; i < buffer.length; ++i) {
      if (buffer[i] < 0x21 || buffer[i] > 0x7E || buffer[i] === 0x22 || buffer[i] === 0x23 ||
          buffer[i] === 0x3C || buffer[i] === 0x3E) {
        this.url.query += percentEncode(buffer[i]);
      } else {
        this.url.query += String.fromCodePoint(buffer[i]);
      }
    }

    this.buffer = "";
    if (c === 35) {
      this.url.fragment = "";
      this.state = "fragment";
    }
  } else {
    // TODO: If c is not a URL code point and not "%", parse error.
    if (c === 37 &&
      (!isASCIIHex(this.input[this.pointer + 1]) ||
        !isASCIIHex(this.input[this.pointer + 2]))) {
      this.parseError = true;
    }

    this.buffer += cStr;
  }

  return true;
};

URLStateMachine.prototype["parse fragment"] = function parseFragment(c) {
  if (isNaN(c)) { // do nothing
  } else if (c === 0x0) {
    this.parseError = true;
  } else {
    // TODO: If c is not a URL code point and not "%", parse error.
    if (c === 37 &&
      (!isASCIIHex(this.input[this.pointer + 1]) ||
        !isASCIIHex(this.input[this.pointer + 2]))) {
      this.parseError = true;
    }

    this.url.fragment += percentEncodeChar(c, isC0ControlPercentEncode);
  }

  return true;
};

function serializeURL(url, excludeFragment) {
  let output = url.scheme + ":";
  if (url.host !== null) {
    output += "//";

    if (url.username !== "" || url.password !== "") {
      output += url.username;
      if (url.password !== "") {
        output += ":" + url.password;
      }
      output += "@";
    }

    output += serializeHost(url.host);

    if (url.port !== null) {
      output += ":" + url.port;
    }
  } else if (url.host === null && url.scheme === "file") {
    output += "//";
  }

  if (url.cannotBeABaseURL) {
    output += url.path[0];
  } else {
    for (const string of url.path) {
      output += "/" + string;
    }
  }

  if (url.query !== null) {
    output += "?" + url.query;
  }

  if (!excludeFragment && url.fragment !== null) {
    output += "#" + url.fragment;
  }

  return output;
}

function serializeOrigin(tuple) {
  let result = tuple.scheme + "://";
  result += serializeHost(tuple.host);

  if (tuple.port !== null) {
    result += ":" + tuple.port;
  }

  return result;
}

module.exports.serializeURL = serializeURL;

module.exports.serializeURLOrigin = function (url) {
  // https://url.spec.whatwg.org/#concept-url-origin
  switch (url.scheme) {
    case "blob":
      try {
        return module.exports.serializeURLOrigin(module.exports.parseURL(url.path[0]));
      } catch (e) {
        // serializing an opaque origin returns "null"
        return "null";
      }
    case "ftp":
    case "gopher":
    case "http":
    case "https":
    case "ws":
    case "wss":
      return serializeOrigin({
        scheme: url.scheme,
        host: url.host,
        port: url.port
      });
    case "file":
      // spec says "exercise to the reader", chrome says "file://"
      return "file://";
    default:
      // serializing an opaque origin returns "null"
      return "null";
  }
};

module.exports.basicURLParse = function (input, options) {
  if (options === undefined) {
    options = {};
  }

  const usm = new URLStateMachine(input, options.baseURL, options.encodingOverride, options.url, options.stateOverride);
  if (usm.failure) {
    return "failure";
  }

  return usm.url;
};

module.exports.setTheUsername = function (url, username) {
  url.username = "";
  const decoded = punycode.ucs2.decode(username);
  for (let i = 0; i < decoded.length; ++i) {
    url.username += percentEncodeChar(decoded[i], isUserinfoPercentEncode);
  }
};

module.exports.setThePassword = function (url, password) {
  url.password = "";
  const decoded = punycode.ucs2.decode(password);
  for (let i = 0; i < decoded.length; ++i) {
    url.password += percentEncodeChar(decoded[i], isUserinfoPercentEncode);
  }
};

module.exports.serializeHost = serializeHost;

module.exports.cannotHaveAUsernamePasswordPort = cannotHaveAUsernamePasswordPort;

module.exports.serializeInteger = function (integer) {
  return String(integer);
};

module.exports.parseURL = function (input, options) {
  if (options === undefined) {
    options = {};
  }

  // We don't handle blobs, so this just delegates:
  return module.exports.basicURLParse(input, { baseURL: options.baseURL, encodingOverride: options.encodingOverride });
};


/***/ }),

/***/ 9857:
/***/ ((module) => {



module.exports.mixin = function mixin(target, source) {
  const keys = Object.getOwnPropertyNames(source);
  for (let i = 0; i < keys.length; ++i) {
    Object.defineProperty(target, keys[i], Object.getOwnPropertyDescriptor(source, keys[i]));
  }
};

module.exports.wrapperSymbol = Symbol("wrapper");
module.exports.implSymbol = Symbol("impl");

module.exports.wrapperForImpl = function (impl) {
  return impl[module.exports.wrapperSymbol];
};

module.exports.implForWrapper = function (wrapper) {
  return wrapper[module.exports.implSymbol];
};



/***/ }),

/***/ 6950:
/***/ ((__unused_webpack_module, exports) => {


/**
 * Character classes and associated utilities for the 5th edition of XML 1.0.
 *
 * @author Louis-Dominique Dubeau
 * @license MIT
 * @copyright Louis-Dominique Dubeau
 */
Object.defineProperty(exports, "__esModule", ({ value: true }));
//
// Fragments.
//
exports.CHAR = "\t\n\r -\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF";
exports.S = " \t\r\n";
// tslint:disable-next-line:max-line-length
exports.NAME_START_CHAR = ":A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\uD800\uDC00-\uDB7F\uDFFF";
exports.NAME_CHAR = "-" + exports.NAME_START_CHAR + ".0-9\u00B7\u0300-\u036F\u203F-\u2040";
//
// Regular expressions.
//
exports.CHAR_RE = new RegExp("^[" + exports.CHAR + "]$", "u");
exports.S_RE = new RegExp("^[" + exports.S + "]+$", "u");
exports.NAME_START_CHAR_RE = new RegExp("^[" + exports.NAME_START_CHAR + "]$", "u");
exports.NAME_CHAR_RE = new RegExp("^[" + exports.NAME_CHAR + "]$", "u");
exports.NAME_RE = new RegExp("^[" + exports.NAME_START_CHAR + "][" + exports.NAME_CHAR + "]*$", "u");
exports.NMTOKEN_RE = new RegExp("^[" + exports.NAME_CHAR + "]+$", "u");
var TAB = 9;
var NL = 0xA;
var CR = 0xD;
var SPACE = 0x20;
//
// Lists.
//
/** All characters in the ``S`` production. */
exports.S_LIST = [SPACE, NL, CR, TAB];
/**
 * Determines whether a codepoint matches the ``CHAR`` production.
 *
 * @param c The code point.
 *
 * @returns ``true`` if the codepoint matches ``CHAR``.
 */
function isChar(c) {
    return (c >= SPACE && c <= 0xD7FF) ||
        c === NL || c === CR || c === TAB ||
        (c >= 0xE000 && c <= 0xFFFD) ||
        (c >= 0x10000 && c <= 0x10FFFF);
}
exports.isChar = isChar;
/**
 * Determines whether a codepoint matches the ``S`` (space) production.
 *
 * @param c The code point.
 *
 * @returns ``true`` if the codepoint matches ``S``.
 */
function isS(c) {
    return c === SPACE || c === NL || c === CR || c === TAB;
}
exports.isS = isS;
/**
 * Determines whether a codepoint matches the ``NAME_START_CHAR`` production.
 *
 * @param c The code point.
 *
 * @returns ``true`` if the codepoint matches ``NAME_START_CHAR``.
 */
function isNameStartChar(c) {
    return ((c >= 0x41 && c <= 0x5A) ||
        (c >= 0x61 && c <= 0x7A) ||
        c === 0x3A ||
        c === 0x5F ||
        c === 0x200C ||
        c === 0x200D ||
        (c >= 0xC0 && c <= 0xD6) ||
        (c >= 0xD8 && c <= 0xF6) ||
        (c >= 0x00F8 && c <= 0x02FF) ||
        (c >= 0x0370 && c <= 0x037D) ||
        (c >= 0x037F && c <= 0x1FFF) ||
        (c >= 0x2070 && c <= 0x218F) ||
        (c >= 0x2C00 && c <= 0x2FEF) ||
        (c >= 0x3001 && c <= 0xD7FF) ||
        (c >= 0xF900 && c <= 0xFDCF) ||
        (c >= 0xFDF0 && c <= 0xFFFD) ||
        (c >= 0x10000 && c <= 0xEFFFF));
}
exports.isNameStartChar = isNameStartChar;
/**
 * Determines whether a codepoint matches the ``NAME_CHAR`` production.
 *
 * @param c The code point.
 *
 * @returns ``true`` if the codepoint matches ``NAME_CHAR``.
 */
function isNameChar(c) {
    return isNameStartChar(c) ||
        (c >= 0x30 && c <= 0x39) ||
        c === 0x2D ||
        c === 0x2E ||
        c === 0xB7 ||
        (c >= 0x0300 && c <= 0x036F) ||
        (c >= 0x203F && c <= 0x2040);
}
exports.isNameChar = isNameChar;
//# sourceMappingURL=ed5.js.map

/***/ }),

/***/ 4488:
/***/ ((__unused_webpack_module, exports) => {


/**
 * Character classes and associated utilities for the 2nd edition of XML 1.1.
 *
 * @author Louis-Dominique Dubeau
 * @license MIT
 * @copyright Louis-Dominique Dubeau
 */
Object.defineProperty(exports, "__esModule", ({ value: true }));
//
// Fragments.
//
exports.CHAR = "\u0001-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF";
exports.RESTRICTED_CHAR = "\u0001-\u0008\u000B\u000C\u000E-\u001F\u007F-\u0084\u0086-\u009F";
exports.S = " \t\r\n";
// tslint:disable-next-line:max-line-length
exports.NAME_START_CHAR = ":A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\uD800\uDC00-\uDB7F\uDFFF";
exports.NAME_CHAR = "-" + exports.NAME_START_CHAR + ".0-9\u00B7\u0300-\u036F\u203F-\u2040";
//
// Regular expressions.
//
exports.CHAR_RE = new RegExp("^[" + exports.CHAR + "]$", "u");
exports.RESTRICTED_CHAR_RE = new RegExp("^[" + exports.RESTRICTED_CHAR + "]$", "u");
exports.S_RE = new RegExp("^[" + exports.S + "]+$", "u");
exports.NAME_START_CHAR_RE = new RegExp("^[" + exports.NAME_START_CHAR + "]$", "u");
exports.NAME_CHAR_RE = new RegExp("^[" + exports.NAME_CHAR + "]$", "u");
exports.NAME_RE = new RegExp("^[" + exports.NAME_START_CHAR + "][" + exports.NAME_CHAR + "]*$", "u");
exports.NMTOKEN_RE = new RegExp("^[" + exports.NAME_CHAR + "]+$", "u");
var TAB = 9;
var NL = 0xA;
var CR = 0xD;
var SPACE = 0x20;
//
// Lists.
//
/** All characters in the ``S`` production. */
exports.S_LIST = [SPACE, NL, CR, TAB];
/**
 * Determines whether a codepoint matches the ``CHAR`` production.
 *
 * @param c The code point.
 *
 * @returns ``true`` if the codepoint matches ``CHAR``.
 */
function isChar(c) {
    return (c >= 0x0001 && c <= 0xD7FF) ||
        (c >= 0xE000 && c <= 0xFFFD) ||
        (c >= 0x10000 && c <= 0x10FFFF);
}
exports.isChar = isChar;
/**
 * Determines whether a codepoint matches the ``RESTRICTED_CHAR`` production.
 *
 * @param c The code point.
 *
 * @returns ``true`` if the codepoint matches ``RESTRICTED_CHAR``.
 */
function isRestrictedChar(c) {
    return (c >= 0x1 && c <= 0x8) ||
        c === 0xB ||
        c === 0xC ||
        (c >= 0xE && c <= 0x1F) ||
        (c >= 0x7F && c <= 0x84) ||
        (c >= 0x86 && c <= 0x9F);
}
exports.isRestrictedChar = isRestrictedChar;
/**
 * Determines whether a codepoint matches the ``CHAR`` production and does not
 * match the ``RESTRICTED_CHAR`` production. ``isCharAndNotRestricted(x)`` is
 * equivalent to ``isChar(x) && !isRestrictedChar(x)``. This function is faster
 * than running the two-call equivalent.
 *
 * @param c The code point.
 *
 * @returns ``true`` if the codepoint matches ``CHAR`` and does not match
 * ``RESTRICTED_CHAR``.
 */
function isCharAndNotRestricted(c) {
    return (c === 0x9) ||
        (c === 0xA) ||
        (c === 0xD) ||
        (c > 0x1F && c < 0x7F) ||
        (c === 0x85) ||
        (c > 0x9F && c <= 0xD7FF) ||
        (c >= 0xE000 && c <= 0xFFFD) ||
        (c >= 0x10000 && c <= 0x10FFFF);
}
exports.isCharAndNotRestricted = isCharAndNotRestricted;
/**
 * Determines whether a codepoint matches the ``S`` (space) production.
 *
 * @param c The code point.
 *
 * @returns ``true`` if the codepoint matches ``S``.
 */
function isS(c) {
    return c === SPACE || c === NL || c === CR || c === TAB;
}
exports.isS = isS;
/**
 * Determines whether a codepoint matches the ``NAME_START_CHAR`` production.
 *
 * @param c The code point.
 *
 * @returns ``true`` if the codepoint matches ``NAME_START_CHAR``.
 */
// tslint:disable-next-line:cyclomatic-complexity
function isNameStartChar(c) {
    return ((c >= 0x41 && c <= 0x5A) ||
        (c >= 0x61 && c <= 0x7A) ||
        c === 0x3A ||
        c === 0x5F ||
        c === 0x200C ||
        c === 0x200D ||
        (c >= 0xC0 && c <= 0xD6) ||
        (c >= 0xD8 && c <= 0xF6) ||
        (c >= 0x00F8 && c <= 0x02FF) ||
        (c >= 0x0370 && c <= 0x037D) ||
        (c >= 0x037F && c <= 0x1FFF) ||
        (c >= 0x2070 && c <= 0x218F) ||
        (c >= 0x2C00 && c <= 0x2FEF) ||
        (c >= 0x3001 && c <= 0xD7FF) ||
        (c >= 0xF900 && c <= 0xFDCF) ||
        (c >= 0xFDF0 && c <= 0xFFFD) ||
        (c >= 0x10000 && c <= 0xEFFFF));
}
exports.isNameStartChar = isNameStartChar;
/**
 * Determines whether a codepoint matches the ``NAME_CHAR`` production.
 *
 * @param c The code point.
 *
 * @returns ``true`` if the codepoint matches ``NAME_CHAR``.
 */
function isNameChar(c) {
    return isNameStartChar(c) ||
        (c >= 0x30 && c <= 0x39) ||
        c === 0x2D ||
        c === 0x2E ||
        c === 0xB7 ||
        (c >= 0x0300 && c <= 0x036F) ||
        (c >= 0x203F && c <= 0x2040);
}
exports.isNameChar = isNameChar;
//# sourceMappingURL=ed2.js.map

/***/ }),

/***/ 5699:
/***/ ((__unused_webpack_module, exports) => {


/**
 * Character class utilities for XML NS 1.0 edition 3.
 *
 * @author Louis-Dominique Dubeau
 * @license MIT
 * @copyright Louis-Dominique Dubeau
 */
Object.defineProperty(exports, "__esModule", ({ value: true }));
//
// Fragments.
//
// tslint:disable-next-line:max-line-length
exports.NC_NAME_START_CHAR = "A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\uD800\uDC00-\uDB7F\uDFFF";
exports.NC_NAME_CHAR = "-" + exports.NC_NAME_START_CHAR + ".0-9\u00B7\u0300-\u036F\u203F-\u2040";
//
// Regular expressions.
//
exports.NC_NAME_START_CHAR_RE = new RegExp("^[" + exports.NC_NAME_START_CHAR + "]$", "u");
exports.NC_NAME_CHAR_RE = new RegExp("^[" + exports.NC_NAME_CHAR + "]$", "u");
exports.NC_NAME_RE = new RegExp("^[" + exports.NC_NAME_START_CHAR + "][" + exports.NC_NAME_CHAR + "]*$", "u");
/**
 * Determines whether a codepoint matches [[NC_NAME_START_CHAR]].
 *
 * @param c The code point.
 *
 * @returns ``true`` if the codepoint matches.
 */
// tslint:disable-next-line:cyclomatic-complexity
function isNCNameStartChar(c) {
    return ((c >= 0x41 && c <= 0x5A) ||
        c === 0x5F ||
        (c >= 0x61 && c <= 0x7A) ||
        (c >= 0xC0 && c <= 0xD6) ||
        (c >= 0xD8 && c <= 0xF6) ||
        (c >= 0x00F8 && c <= 0x02FF) ||
        (c >= 0x0370 && c <= 0x037D) ||
        (c >= 0x037F && c <= 0x1FFF) ||
        (c >= 0x200C && c <= 0x200D) ||
        (c >= 0x2070 && c <= 0x218F) ||
        (c >= 0x2C00 && c <= 0x2FEF) ||
        (c >= 0x3001 && c <= 0xD7FF) ||
        (c >= 0xF900 && c <= 0xFDCF) ||
        (c >= 0xFDF0 && c <= 0xFFFD) ||
        (c >= 0x10000 && c <= 0xEFFFF));
}
exports.isNCNameStartChar = isNCNameStartChar;
/**
 * Determines whether a codepoint matches [[NC_NAME_CHAR]].
 *
 * @param c The code point.
 *
 * @returns ``true`` if the codepoint matches.
 */
function isNCNameChar(c) {
    return isNCNameStartChar(c) ||
        (c === 0x2D ||
            c === 0x2E ||
            (c >= 0x30 && c <= 0x39) ||
            c === 0x00B7 ||
            (c >= 0x0300 && c <= 0x036F) ||
            (c >= 0x203F && c <= 0x2040));
}
exports.isNCNameChar = isNCNameChar;
//# sourceMappingURL=ed3.js.map

/***/ }),

/***/ 2078:
/***/ ((module) => {

module.exports = eval("require")("encoding");


/***/ }),

/***/ 2613:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("assert");

/***/ }),

/***/ 4434:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("events");

/***/ }),

/***/ 8611:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("http");

/***/ }),

/***/ 5692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("https");

/***/ }),

/***/ 9278:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("net");

/***/ }),

/***/ 857:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("os");

/***/ }),

/***/ 4876:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("punycode");

/***/ }),

/***/ 3785:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("readline");

/***/ }),

/***/ 2203:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("stream");

/***/ }),

/***/ 4756:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("tls");

/***/ }),

/***/ 2018:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("tty");

/***/ }),

/***/ 7016:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("url");

/***/ }),

/***/ 9023:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("util");

/***/ }),

/***/ 3106:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("zlib");

/***/ }),

/***/ 2472:
/***/ ((module) => {

module.exports = /*#__PURE__*/JSON.parse('[[[0,44],"disallowed_STD3_valid"],[[45,46],"valid"],[[47,47],"disallowed_STD3_valid"],[[48,57],"valid"],[[58,64],"disallowed_STD3_valid"],[[65,65],"mapped",[97]],[[66,66],"mapped",[98]],[[67,67],"mapped",[99]],[[68,68],"mapped",[100]],[[69,69],"mapped",[101]],[[70,70],"mapped",[102]],[[71,71],"mapped",[103]],[[72,72],"mapped",[104]],[[73,73],"mapped",[105]],[[74,74],"mapped",[106]],[[75,75],"mapped",[107]],[[76,76],"mapped",[108]],[[77,77],"mapped",[109]],[[78,78],"mapped",[110]],[[79,79],"mapped",[111]],[[80,80],"mapped",[112]],[[81,81],"mapped",[113]],[[82,82],"mapped",[114]],[[83,83],"mapped",[115]],[[84,84],"mapped",[116]],[[85,85],"mapped",[117]],[[86,86],"mapped",[118]],[[87,87],"mapped",[119]],[[88,88],"mapped",[120]],[[89,89],"mapped",[121]],[[90,90],"mapped",[122]],[[91,96],"disallowed_STD3_valid"],[[97,122],"valid"],[[123,127],"disallowed_STD3_valid"],[[128,159],"disallowed"],[[160,160],"disallowed_STD3_mapped",[32]],[[161,167],"valid",[],"NV8"],[[168,168],"disallowed_STD3_mapped",[32,776]],[[169,169],"valid",[],"NV8"],[[170,170],"mapped",[97]],[[171,172],"valid",[],"NV8"],[[173,173],"ignored"],[[174,174],"valid",[],"NV8"],[[175,175],"disallowed_STD3_mapped",[32,772]],[[176,177],"valid",[],"NV8"],[[178,178],"mapped",[50]],[[179,179],"mapped",[51]],[[180,180],"disallowed_STD3_mapped",[32,769]],[[181,181],"mapped",[956]],[[182,182],"valid",[],"NV8"],[[183,183],"valid"],[[184,184],"disallowed_STD3_mapped",[32,807]],[[185,185],"mapped",[49]],[[186,186],"mapped",[111]],[[187,187],"valid",[],"NV8"],[[188,188],"mapped",[49,8260,52]],[[189,189],"mapped",[49,8260,50]],[[190,190],"mapped",[51,8260,52]],[[191,191],"valid",[],"NV8"],[[192,192],"mapped",[224]],[[193,193],"mapped",[225]],[[194,194],"mapped",[226]],[[195,195],"mapped",[227]],[[196,196],"mapped",[228]],[[197,197],"mapped",[229]],[[198,198],"mapped",[230]],[[199,199],"mapped",[231]],[[200,200],"mapped",[232]],[[201,201],"mapped",[233]],[[202,202],"mapped",[234]],[[203,203],"mapped",[235]],[[204,204],"mapped",[236]],[[205,205],"mapped",[237]],[[206,206],"mapped",[238]],[[207,207],"mapped",[239]],[[208,208],"mapped",[240]],[[209,209],"mapped",[241]],[[210,210],"mapped",[242]],[[211,211],"mapped",[243]],[[212,212],"mapped",[244]],[[213,213],"mapped",[245]],[[214,214],"mapped",[246]],[[215,215],"valid",[],"NV8"],[[216,216],"mapped",[248]],[[217,217],"mapped",[249]],[[218,218],"mapped",[250]],[[219,219],"mapped",[251]],[[220,220],"mapped",[252]],[[221,221],"mapped",[253]],[[222,222],"mapped",[254]],[[223,223],"deviation",[115,115]],[[224,246],"valid"],[[247,247],"valid",[],"NV8"],[[248,255],"valid"],[[256,256],"mapped",[257]],[[257,257],"valid"],[[258,258],"mapped",[259]],[[259,259],"valid"],[[260,260],"mapped",[261]],[[261,261],"valid"],[[262,262],"mapped",[263]],[[263,263],"valid"],[[264,264],"mapped",[265]],[[265,265],"valid"],[[266,266],"mapped",[267]],[[267,267],"valid"],[[268,268],"mapped",[269]],[[269,269],"valid"],[[270,270],"mapped",[271]],[[271,271],"valid"],[[272,272],"mapped",[273]],[[273,273],"valid"],[[274,274],"mapped",[275]],[[275,275],"valid"],[[276,276],"mapped",[277]],[[277,277],"valid"],[[278,278],"mapped",[279]],[[279,279],"valid"],[[280,280],"mapped",[281]],[[281,281],"valid"],[[282,282],"mapped",[283]],[[283,283],"valid"],[[284,284],"mapped",[285]],[[285,285],"valid"],[[286,286],"mapped",[287]],[[287,287],"valid"],[[288,288],"mapped",[289]],[[289,289],"valid"],[[290,290],"mapped",[291]],[[291,291],"valid"],[[292,292],"mapped",[293]],[[293,293],"valid"],[[294,294],"mapped",[295]],[[295,295],"valid"],[[296,296],"mapped",[297]],[[297,297],"valid"],[[298,298],"mapped",[299]],[[299,299],"valid"],[[300,300],"mapped",[301]],[[301,301],"valid"],[[302,302],"mapped",[303]],[[303,303],"valid"],[[304,304],"mapped",[105,775]],[[305,305],"valid"],[[306,307],"mapped",[105,106]],[[308,308],"mapped",[309]],[[309,309],"valid"],[[310,310],"mapped",[311]],[[311,312],"valid"],[[313,313],"mapped",[314]],[[314,314],"valid"],[[315,315],"mapped",[316]],[[316,316],"valid"],[[317,317],"mapped",[318]],[[318,318],"valid"],[[319,320],"mapped",[108,183]],[[321,321],"mapped",[322]],[[322,322],"valid"],[[323,323],"mapped",[324]],[[324,324],"valid"],[[325,325],"mapped",[326]],[[326,326],"valid"],[[327,327],"mapped",[328]],[[328,328],"valid"],[[329,329],"mapped",[700,110]],[[330,330],"mapped",[331]],[[331,331],"valid"],[[332,332],"mapped",[333]],[[333,333],"valid"],[[334,334],"mapped",[335]],[[335,335],"valid"],[[336,336],"mapped",[337]],[[337,337],"valid"],[[338,338],"mapped",[339]],[[339,339],"valid"],[[340,340],"mapped",[341]],[[341,341],"valid"],[[342,342],"mapped",[343]],[[343,343],"valid"],[[344,344],"mapped",[345]],[[345,345],"valid"],[[346,346],"mapped",[347]],[[347,347],"valid"],[[348,348],"mapped",[349]],[[349,349],"valid"],[[350,350],"mapped",[351]],[[351,351],"valid"],[[352,352],"mapped",[353]],[[353,353],"valid"],[[354,354],"mapped",[355]],[[355,355],"valid"],[[356,356],"mapped",[357]],[[357,357],"valid"],[[358,358],"mapped",[359]],[[359,359],"valid"],[[360,360],"mapped",[361]],[[361,361],"valid"],[[362,362],"mapped",[363]],[[363,363],"valid"],[[364,364],"mapped",[365]],[[365,365],"valid"],[[366,366],"mapped",[367]],[[367,367],"valid"],[[368,368],"mapped",[369]],[[369,369],"valid"],[[370,370],"mapped",[371]],[[371,371],"valid"],[[372,372],"mapped",[373]],[[373,373],"valid"],[[374,374],"mapped",[375]],[[375,375],"valid"],[[376,376],"mapped",[255]],[[377,377],"mapped",[378]],[[378,378],"valid"],[[379,379],"mapped",[380]],[[380,380],"valid"],[[381,381],"mapped",[382]],[[382,382],"valid"],[[383,383],"mapped",[115]],[[384,384],"valid"],[[385,385],"mapped",[595]],[[386,386],"mapped",[387]],[[387,387],"valid"],[[388,388],"mapped",[389]],[[389,389],"valid"],[[390,390],"mapped",[596]],[[391,391],"mapped",[392]],[[392,392],"valid"],[[393,393],"mapped",[598]],[[394,394],"mapped",[599]],[[395,395],"mapped",[396]],[[396,397],"valid"],[[398,398],"mapped",[477]],[[399,399],"mapped",[601]],[[400,400],"mapped",[603]],[[401,401],"mapped",[402]],[[402,402],"valid"],[[403,403],"mapped",[608]],[[404,404],"mapped",[611]],[[405,405],"valid"],[[406,406],"mapped",[617]],[[407,407],"mapped",[616]],[[408,408],"mapped",[409]],[[409,411],"valid"],[[412,412],"mapped",[623]],[[413,413],"mapped",[626]],[[414,414],"valid"],[[415,415],"mapped",[629]],[[416,416],"mapped",[417]],[[417,417],"valid"],[[418,418],"mapped",[419]],[[419,419],"valid"],[[420,420],"mapped",[421]],[[421,421],"valid"],[[422,422],"mapped",[640]],[[423,423],"mapped",[424]],[[424,424],"valid"],[[425,425],"mapped",[643]],[[426,427],"valid"],[[428,428],"mapped",[429]],[[429,429],"valid"],[[430,430],"mapped",[648]],[[431,431],"mapped",[432]],[[432,432],"valid"],[[433,433],"mapped",[650]],[[434,434],"mapped",[651]],[[435,435],"mapped",[436]],[[436,436],"valid"],[[437,437],"mapped",[438]],[[438,438],"valid"],[[439,439],"mapped",[658]],[[440,440],"mapped",[441]],[[441,443],"valid"],[[444,444],"mapped",[445]],[[445,451],"valid"],[[452,454],"mapped",[100,382]],[[455,457],"mapped",[108,106]],[[458,460],"mapped",[110,106]],[[461,461],"mapped",[462]],[[462,462],"valid"],[[463,463],"mapped",[464]],[[464,464],"valid"],[[465,465],"mapped",[466]],[[466,466],"valid"],[[467,467],"mapped",[468]],[[468,468],"valid"],[[469,469],"mapped",[470]],[[470,470],"valid"],[[471,471],"mapped",[472]],[[472,472],"valid"],[[473,473],"mapped",[474]],[[474,474],"valid"],[[475,475],"mapped",[476]],[[476,477],"valid"],[[478,478],"mapped",[479]],[[479,479],"valid"],[[480,480],"mapped",[481]],[[481,481],"valid"],[[482,482],"mapped",[483]],[[483,483],"valid"],[[484,484],"mapped",[485]],[[485,485],"valid"],[[486,486],"mapped",[487]],[[487,487],"valid"],[[488,488],"mapped",[489]],[[489,489],"valid"],[[490,490],"mapped",[491]],[[491,491],"valid"],[[492,492],"mapped",[493]],[[493,493],"valid"],[[494,494],"mapped",[495]],[[495,496],"valid"],[[497,499],"mapped",[100,122]],[[500,500],"mapped",[501]],[[501,501],"valid"],[[502,502],"mapped",[405]],[[503,503],"mapped",[447]],[[504,504],"mapped",[505]],[[505,505],"valid"],[[506,506],"mapped",[507]],[[507,507],"valid"],[[508,508],"mapped",[509]],[[509,509],"valid"],[[510,510],"mapped",[511]],[[511,511],"valid"],[[512,512],"mapped",[513]],[[513,513],"valid"],[[514,514],"mapped",[515]],[[515,515],"valid"],[[516,516],"mapped",[517]],[[517,517],"valid"],[[518,518],"mapped",[519]],[[519,519],"valid"],[[520,520],"mapped",[521]],[[521,521],"valid"],[[522,522],"mapped",[523]],[[523,523],"valid"],[[524,524],"mapped",[525]],[[525,525],"valid"],[[526,526],"mapped",[527]],[[527,527],"valid"],[[528,528],"mapped",[529]],[[529,529],"valid"],[[530,530],"mapped",[531]],[[531,531],"valid"],[[532,532],"mapped",[533]],[[533,533],"valid"],[[534,534],"mapped",[535]],[[535,535],"valid"],[[536,536],"mapped",[537]],[[537,537],"valid"],[[538,538],"mapped",[539]],[[539,539],"valid"],[[540,540],"mapped",[541]],[[541,541],"valid"],[[542,542],"mapped",[543]],[[543,543],"valid"],[[544,544],"mapped",[414]],[[545,545],"valid"],[[546,546],"mapped",[547]],[[547,547],"valid"],[[548,548],"mapped",[549]],[[549,549],"valid"],[[550,550],"mapped",[551]],[[551,551],"valid"],[[552,552],"mapped",[553]],[[553,553],"valid"],[[554,554],"mapped",[555]],[[555,555],"valid"],[[556,556],"mapped",[557]],[[557,557],"valid"],[[558,558],"mapped",[559]],[[559,559],"valid"],[[560,560],"mapped",[561]],[[561,561],"valid"],[[562,562],"mapped",[563]],[[563,563],"valid"],[[564,566],"valid"],[[567,569],"valid"],[[570,570],"mapped",[11365]],[[571,571],"mapped",[572]],[[572,572],"valid"],[[573,573],"mapped",[410]],[[574,574],"mapped",[11366]],[[575,576],"valid"],[[577,577],"mapped",[578]],[[578,578],"valid"],[[579,579],"mapped",[384]],[[580,580],"mapped",[649]],[[581,581],"mapped",[652]],[[582,582],"mapped",[583]],[[583,583],"valid"],[[584,584],"mapped",[585]],[[585,585],"valid"],[[586,586],"mapped",[587]],[[587,587],"valid"],[[588,588],"mapped",[589]],[[589,589],"valid"],[[590,590],"mapped",[591]],[[591,591],"valid"],[[592,680],"valid"],[[681,685],"valid"],[[686,687],"valid"],[[688,688],"mapped",[104]],[[689,689],"mapped",[614]],[[690,690],"mapped",[106]],[[691,691],"mapped",[114]],[[692,692],"mapped",[633]],[[693,693],"mapped",[635]],[[694,694],"mapped",[641]],[[695,695],"mapped",[119]],[[696,696],"mapped",[121]],[[697,705],"valid"],[[706,709],"valid",[],"NV8"],[[710,721],"valid"],[[722,727],"valid",[],"NV8"],[[728,728],"disallowed_STD3_mapped",[32,774]],[[729,729],"disallowed_STD3_mapped",[32,775]],[[730,730],"disallowed_STD3_mapped",[32,778]],[[731,731],"disallowed_STD3_mapped",[32,808]],[[732,732],"disallowed_STD3_mapped",[32,771]],[[733,733],"disallowed_STD3_mapped",[32,779]],[[734,734],"valid",[],"NV8"],[[735,735],"valid",[],"NV8"],[[736,736],"mapped",[611]],[[737,737],"mapped",[108]],[[738,738],"mapped",[115]],[[739,739],"mapped",[120]],[[740,740],"mapped",[661]],[[741,745],"valid",[],"NV8"],[[746,747],"valid",[],"NV8"],[[748,748],"valid"],[[749,749],"valid",[],"NV8"],[[750,750],"valid"],[[751,767],"valid",[],"NV8"],[[768,831],"valid"],[[832,832],"mapped",[768]],[[833,833],"mapped",[769]],[[834,834],"valid"],[[835,835],"mapped",[787]],[[836,836],"mapped",[776,769]],[[837,837],"mapped",[953]],[[838,846],"valid"],[[847,847],"ignored"],[[848,855],"valid"],[[856,860],"valid"],[[861,863],"valid"],[[864,865],"valid"],[[866,866],"valid"],[[867,879],"valid"],[[880,880],"mapped",[881]],[[881,881],"valid"],[[882,882],"mapped",[883]],[[883,883],"valid"],[[884,884],"mapped",[697]],[[885,885],"valid"],[[886,886],"mapped",[887]],[[887,887],"valid"],[[888,889],"disallowed"],[[890,890],"disallowed_STD3_mapped",[32,953]],[[891,893],"valid"],[[894,894],"disallowed_STD3_mapped",[59]],[[895,895],"mapped",[1011]],[[896,899],"disallowed"],[[900,900],"disallowed_STD3_mapped",[32,769]],[[901,901],"disallowed_STD3_mapped",[32,776,769]],[[902,902],"mapped",[940]],[[903,903],"mapped",[183]],[[904,904],"mapped",[941]],[[905,905],"mapped",[942]],[[906,906],"mapped",[943]],[[907,907],"disallowed"],[[908,908],"mapped",[972]],[[909,909],"disallowed"],[[910,910],"mapped",[973]],[[911,911],"mapped",[974]],[[912,912],"valid"],[[913,913],"mapped",[945]],[[914,914],"mapped",[946]],[[915,915],"mapped",[947]],[[916,916],"mapped",[948]],[[917,917],"mapped",[949]],[[918,918],"mapped",[950]],[[919,919],"mapped",[951]],[[920,920],"mapped",[952]],[[921,921],"mapped",[953]],[[922,922],"mapped",[954]],[[923,923],"mapped",[955]],[[924,924],"mapped",[956]],[[925,925],"mapped",[957]],[[926,926],"mapped",[958]],[[927,927],"mapped",[959]],[[928,928],"mapped",[960]],[[929,929],"mapped",[961]],[[930,930],"disallowed"],[[931,931],"mapped",[963]],[[932,932],"mapped",[964]],[[933,933],"mapped",[965]],[[934,934],"mapped",[966]],[[935,935],"mapped",[967]],[[936,936],"mapped",[968]],[[937,937],"mapped",[969]],[[938,938],"mapped",[970]],[[939,939],"mapped",[971]],[[940,961],"valid"],[[962,962],"deviation",[963]],[[963,974],"valid"],[[975,975],"mapped",[983]],[[976,976],"mapped",[946]],[[977,977],"mapped",[952]],[[978,978],"mapped",[965]],[[979,979],"mapped",[973]],[[980,980],"mapped",[971]],[[981,981],"mapped",[966]],[[982,982],"mapped",[960]],[[983,983],"valid"],[[984,984],"mapped",[985]],[[985,985],"valid"],[[986,986],"mapped",[987]],[[987,987],"valid"],[[988,988],"mapped",[989]],[[989,989],"valid"],[[990,990],"mapped",[991]],[[991,991],"valid"],[[992,992],"mapped",[993]],[[993,993],"valid"],[[994,994],"mapped",[995]],[[995,995],"valid"],[[996,996],"mapped",[997]],[[997,997],"valid"],[[998,998],"mapped",[999]],[[999,999],"valid"],[[1000,1000],"mapped",[1001]],[[1001,1001],"valid"],[[1002,1002],"mapped",[1003]],[[1003,1003],"valid"],[[1004,1004],"mapped",[1005]],[[1005,1005],"valid"],[[1006,1006],"mapped",[1007]],[[1007,1007],"valid"],[[1008,1008],"mapped",[954]],[[1009,1009],"mapped",[961]],[[1010,1010],"mapped",[963]],[[1011,1011],"valid"],[[1012,1012],"mapped",[952]],[[1013,1013],"mapped",[949]],[[1014,1014],"valid",[],"NV8"],[[1015,1015],"mapped",[1016]],[[1016,1016],"valid"],[[1017,1017],"mapped",[963]],[[1018,1018],"mapped",[1019]],[[1019,1019],"valid"],[[1020,1020],"valid"],[[1021,1021],"mapped",[891]],[[1022,1022],"mapped",[892]],[[1023,1023],"mapped",[893]],[[1024,1024],"mapped",[1104]],[[1025,1025],"mapped",[1105]],[[1026,1026],"mapped",[1106]],[[1027,1027],"mapped",[1107]],[[1028,1028],"mapped",[1108]],[[1029,1029],"mapped",[1109]],[[1030,1030],"mapped",[1110]],[[1031,1031],"mapped",[1111]],[[1032,1032],"mapped",[1112]],[[1033,1033],"mapped",[1113]],[[1034,1034],"mapped",[1114]],[[1035,1035],"mapped",[1115]],[[1036,1036],"mapped",[1116]],[[1037,1037],"mapped",[1117]],[[1038,1038],"mapped",[1118]],[[1039,1039],"mapped",[1119]],[[1040,1040],"mapped",[1072]],[[1041,1041],"mapped",[1073]],[[1042,1042],"mapped",[1074]],[[1043,1043],"mapped",[1075]],[[1044,1044],"mapped",[1076]],[[1045,1045],"mapped",[1077]],[[1046,1046],"mapped",[1078]],[[1047,1047],"mapped",[1079]],[[1048,1048],"mapped",[1080]],[[1049,1049],"mapped",[1081]],[[1050,1050],"mapped",[1082]],[[1051,1051],"mapped",[1083]],[[1052,1052],"mapped",[1084]],[[1053,1053],"mapped",[1085]],[[1054,1054],"mapped",[1086]],[[1055,1055],"mapped",[1087]],[[1056,1056],"mapped",[1088]],[[1057,1057],"mapped",[1089]],[[1058,1058],"mapped",[1090]],[[1059,1059],"mapped",[1091]],[[1060,1060],"mapped",[1092]],[[1061,1061],"mapped",[1093]],[[1062,1062],"mapped",[1094]],[[1063,1063],"mapped",[1095]],[[1064,1064],"mapped",[1096]],[[1065,1065],"mapped",[1097]],[[1066,1066],"mapped",[1098]],[[1067,1067],"mapped",[1099]],[[1068,1068],"mapped",[1100]],[[1069,1069],"mapped",[1101]],[[1070,1070],"mapped",[1102]],[[1071,1071],"mapped",[1103]],[[1072,1103],"valid"],[[1104,1104],"valid"],[[1105,1116],"valid"],[[1117,1117],"valid"],[[1118,1119],"valid"],[[1120,1120],"mapped",[1121]],[[1121,1121],"valid"],[[1122,1122],"mapped",[1123]],[[1123,1123],"valid"],[[1124,1124],"mapped",[1125]],[[1125,1125],"valid"],[[1126,1126],"mapped",[1127]],[[1127,1127],"valid"],[[1128,1128],"mapped",[1129]],[[1129,1129],"valid"],[[1130,1130],"mapped",[1131]],[[1131,1131],"valid"],[[1132,1132],"mapped",[1133]],[[1133,1133],"valid"],[[1134,1134],"mapped",[1135]],[[1135,1135],"valid"],[[1136,1136],"mapped",[1137]],[[1137,1137],"valid"],[[1138,1138],"mapped",[1139]],[[1139,1139],"valid"],[[1140,1140],"mapped",[1141]],[[1141,1141],"valid"],[[1142,1142],"mapped",[1143]],[[1143,1143],"valid"],[[1144,1144],"mapped",[1145]],[[1145,1145],"valid"],[[1146,1146],"mapped",[1147]],[[1147,1147],"valid"],[[1148,1148],"mapped",[1149]],[[1149,1149],"valid"],[[1150,1150],"mapped",[1151]],[[1151,1151],"valid"],[[1152,1152],"mapped",[1153]],[[1153,1153],"valid"],[[1154,1154],"valid",[],"NV8"],[[1155,1158],"valid"],[[1159,1159],"valid"],[[1160,1161],"valid",[],"NV8"],[[1162,1162],"mapped",[1163]],[[1163,1163],"valid"],[[1164,1164],"mapped",[1165]],[[1165,1165],"valid"],[[1166,1166],"mapped",[1167]],[[1167,1167],"valid"],[[1168,1168],"mapped",[1169]],[[1169,1169],"valid"],[[1170,1170],"mapped",[1171]],[[1171,1171],"valid"],[[1172,1172],"mapped",[1173]],[[1173,1173],"valid"],[[1174,1174],"mapped",[1175]],[[1175,1175],"valid"],[[1176,1176],"mapped",[1177]],[[1177,1177],"valid"],[[1178,1178],"mapped",[1179]],[[1179,1179],"valid"],[[1180,1180],"mapped",[1181]],[[1181,1181],"valid"],[[1182,1182],"mapped",[1183]],[[1183,1183],"valid"],[[1184,1184],"mapped",[1185]],[[1185,1185],"valid"],[[1186,1186],"mapped",[1187]],[[1187,1187],"valid"],[[1188,1188],"mapped",[1189]],[[1189,1189],"valid"],[[1190,1190],"mapped",[1191]],[[1191,1191],"valid"],[[1192,1192],"mapped",[1193]],[[1193,1193],"valid"],[[1194,1194],"mapped",[1195]],[[1195,1195],"valid"],[[1196,1196],"mapped",[1197]],[[1197,1197],"valid"],[[1198,1198],"mapped",[1199]],[[1199,1199],"valid"],[[1200,1200],"mapped",[1201]],[[1201,1201],"valid"],[[1202,1202],"mapped",[1203]],[[1203,1203],"valid"],[[1204,1204],"mapped",[1205]],[[1205,1205],"valid"],[[1206,1206],"mapped",[1207]],[[1207,1207],"valid"],[[1208,1208],"mapped",[1209]],[[1209,1209],"valid"],[[1210,1210],"mapped",[1211]],[[1211,1211],"valid"],[[1212,1212],"mapped",[1213]],[[1213,1213],"valid"],[[1214,1214],"mapped",[1215]],[[1215,1215],"valid"],[[1216,1216],"disallowed"],[[1217,1217],"mapped",[1218]],[[1218,1218],"valid"],[[1219,1219],"mapped",[1220]],[[1220,1220],"valid"],[[1221,1221],"mapped",[1222]],[[1222,1222],"valid"],[[1223,1223],"mapped",[1224]],[[1224,1224],"valid"],[[1225,1225],"mapped",[1226]],[[1226,1226],"valid"],[[1227,1227],"mapped",[1228]],[[1228,1228],"valid"],[[1229,1229],"mapped",[1230]],[[1230,1230],"valid"],[[1231,1231],"valid"],[[1232,1232],"mapped",[1233]],[[1233,1233],"valid"],[[1234,1234],"mapped",[1235]],[[1235,1235],"valid"],[[1236,1236],"mapped",[1237]],[[1237,1237],"valid"],[[1238,1238],"mapped",[1239]],[[1239,1239],"valid"],[[1240,1240],"mapped",[1241]],[[1241,1241],"valid"],[[1242,1242],"mapped",[1243]],[[1243,1243],"valid"],[[1244,1244],"mapped",[1245]],[[1245,1245],"valid"],[[1246,1246],"mapped",[1247]],[[1247,1247],"valid"],[[1248,1248],"mapped",[1249]],[[1249,1249],"valid"],[[1250,1250],"mapped",[1251]],[[1251,1251],"valid"],[[1252,1252],"mapped",[1253]],[[1253,1253],"valid"],[[1254,1254],"mapped",[1255]],[[1255,1255],"valid"],[[1256,1256],"mapped",[1257]],[[1257,1257],"valid"],[[1258,1258],"mapped",[1259]],[[1259,1259],"valid"],[[1260,1260],"mapped",[1261]],[[1261,1261],"valid"],[[1262,1262],"mapped",[1263]],[[1263,1263],"valid"],[[1264,1264],"mapped",[1265]],[[1265,1265],"valid"],[[1266,1266],"mapped",[1267]],[[1267,1267],"valid"],[[1268,1268],"mapped",[1269]],[[1269,1269],"valid"],[[1270,1270],"mapped",[1271]],[[1271,1271],"valid"],[[1272,1272],"mapped",[1273]],[[1273,1273],"valid"],[[1274,1274],"mapped",[1275]],[[1275,1275],"valid"],[[1276,1276],"mapped",[1277]],[[1277,1277],"valid"],[[1278,1278],"mapped",[1279]],[[1279,1279],"valid"],[[1280,1280],"mapped",[1281]],[[1281,1281],"valid"],[[1282,1282],"mapped",[1283]],[[1283,1283],"valid"],[[1284,1284],"mapped",[1285]],[[1285,1285],"valid"],[[1286,1286],"mapped",[1287]],[[1287,1287],"valid"],[[1288,1288],"mapped",[1289]],[[1289,1289],"valid"],[[1290,1290],"mapped",[1291]],[[1291,1291],"valid"],[[1292,1292],"mapped",[1293]],[[1293,1293],"valid"],[[1294,1294],"mapped",[1295]],[[1295,1295],"valid"],[[1296,1296],"mapped",[1297]],[[1297,1297],"valid"],[[1298,1298],"mapped",[1299]],[[1299,1299],"valid"],[[1300,1300],"mapped",[1301]],[[1301,1301],"valid"],[[1302,1302],"mapped",[1303]],[[1303,1303],"valid"],[[1304,1304],"mapped",[1305]],[[1305,1305],"valid"],[[1306,1306],"mapped",[1307]],[[1307,1307],"valid"],[[1308,1308],"mapped",[1309]],[[1309,1309],"valid"],[[1310,1310],"mapped",[1311]],[[1311,1311],"valid"],[[1312,1312],"mapped",[1313]],[[1313,1313],"valid"],[[1314,1314],"mapped",[1315]],[[1315,1315],"valid"],[[1316,1316],"mapped",[1317]],[[1317,1317],"valid"],[[1318,1318],"mapped",[1319]],[[1319,1319],"valid"],[[1320,1320],"mapped",[1321]],[[1321,1321],"valid"],[[1322,1322],"mapped",[1323]],[[1323,1323],"valid"],[[1324,1324],"mapped",[1325]],[[1325,1325],"valid"],[[1326,1326],"mapped",[1327]],[[1327,1327],"valid"],[[1328,1328],"disallowed"],[[1329,1329],"mapped",[1377]],[[1330,1330],"mapped",[1378]],[[1331,1331],"mapped",[1379]],[[1332,1332],"mapped",[1380]],[[1333,1333],"mapped",[1381]],[[1334,1334],"mapped",[1382]],[[1335,1335],"mapped",[1383]],[[1336,1336],"mapped",[1384]],[[1337,1337],"mapped",[1385]],[[1338,1338],"mapped",[1386]],[[1339,1339],"mapped",[1387]],[[1340,1340],"mapped",[1388]],[[1341,1341],"mapped",[1389]],[[1342,1342],"mapped",[1390]],[[1343,1343],"mapped",[1391]],[[1344,1344],"mapped",[1392]],[[1345,1345],"mapped",[1393]],[[1346,1346],"mapped",[1394]],[[1347,1347],"mapped",[1395]],[[1348,1348],"mapped",[1396]],[[1349,1349],"mapped",[1397]],[[1350,1350],"mapped",[1398]],[[1351,1351],"mapped",[1399]],[[1352,1352],"mapped",[1400]],[[1353,1353],"mapped",[1401]],[[1354,1354],"mapped",[1402]],[[1355,1355],"mapped",[1403]],[[1356,1356],"mapped",[1404]],[[1357,1357],"mapped",[1405]],[[1358,1358],"mapped",[1406]],[[1359,1359],"mapped",[1407]],[[1360,1360],"mapped",[1408]],[[1361,1361],"mapped",[1409]],[[1362,1362],"mapped",[1410]],[[1363,1363],"mapped",[1411]],[[1364,1364],"mapped",[1412]],[[1365,1365],"mapped",[1413]],[[1366,1366],"mapped",[1414]],[[1367,1368],"disallowed"],[[1369,1369],"valid"],[[1370,1375],"valid",[],"NV8"],[[1376,1376],"disallowed"],[[1377,1414],"valid"],[[1415,1415],"mapped",[1381,1410]],[[1416,1416],"disallowed"],[[1417,1417],"valid",[],"NV8"],[[1418,1418],"valid",[],"NV8"],[[1419,1420],"disallowed"],[[1421,1422],"valid",[],"NV8"],[[1423,1423],"valid",[],"NV8"],[[1424,1424],"disallowed"],[[1425,1441],"valid"],[[1442,1442],"valid"],[[1443,1455],"valid"],[[1456,1465],"valid"],[[1466,1466],"valid"],[[1467,1469],"valid"],[[1470,1470],"valid",[],"NV8"],[[1471,1471],"valid"],[[1472,1472],"valid",[],"NV8"],[[1473,1474],"valid"],[[1475,1475],"valid",[],"NV8"],[[1476,1476],"valid"],[[1477,1477],"valid"],[[1478,1478],"valid",[],"NV8"],[[1479,1479],"valid"],[[1480,1487],"disallowed"],[[1488,1514],"valid"],[[1515,1519],"disallowed"],[[1520,1524],"valid"],[[1525,1535],"disallowed"],[[1536,1539],"disallowed"],[[1540,1540],"disallowed"],[[1541,1541],"disallowed"],[[1542,1546],"valid",[],"NV8"],[[1547,1547],"valid",[],"NV8"],[[1548,1548],"valid",[],"NV8"],[[1549,1551],"valid",[],"NV8"],[[1552,1557],"valid"],[[1558,1562],"valid"],[[1563,1563],"valid",[],"NV8"],[[1564,1564],"disallowed"],[[1565,1565],"disallowed"],[[1566,1566],"valid",[],"NV8"],[[1567,1567],"valid",[],"NV8"],[[1568,1568],"valid"],[[1569,1594],"valid"],[[1595,1599],"valid"],[[1600,1600],"valid",[],"NV8"],[[1601,1618],"valid"],[[1619,1621],"valid"],[[1622,1624],"valid"],[[1625,1630],"valid"],[[1631,1631],"valid"],[[1632,1641],"valid"],[[1642,1645],"valid",[],"NV8"],[[1646,1647],"valid"],[[1648,1652],"valid"],[[1653,1653],"mapped",[1575,1652]],[[1654,1654],"mapped",[1608,1652]],[[1655,1655],"mapped",[1735,1652]],[[1656,1656],"mapped",[1610,1652]],[[1657,1719],"valid"],[[1720,1721],"valid"],[[1722,1726],"valid"],[[1727,1727],"valid"],[[1728,1742],"valid"],[[1743,1743],"valid"],[[1744,1747],"valid"],[[1748,1748],"valid",[],"NV8"],[[1749,1756],"valid"],[[1757,1757],"disallowed"],[[1758,1758],"valid",[],"NV8"],[[1759,1768],"valid"],[[1769,1769],"valid",[],"NV8"],[[1770,1773],"valid"],[[1774,1775],"valid"],[[1776,1785],"valid"],[[1786,1790],"valid"],[[1791,1791],"valid"],[[1792,1805],"valid",[],"NV8"],[[1806,1806],"disallowed"],[[1807,1807],"disallowed"],[[1808,1836],"valid"],[[1837,1839],"valid"],[[1840,1866],"valid"],[[1867,1868],"disallowed"],[[1869,1871],"valid"],[[1872,1901],"valid"],[[1902,1919],"valid"],[[1920,1968],"valid"],[[1969,1969],"valid"],[[1970,1983],"disallowed"],[[1984,2037],"valid"],[[2038,2042],"valid",[],"NV8"],[[2043,2047],"disallowed"],[[2048,2093],"valid"],[[2094,2095],"disallowed"],[[2096,2110],"valid",[],"NV8"],[[2111,2111],"disallowed"],[[2112,2139],"valid"],[[2140,2141],"disallowed"],[[2142,2142],"valid",[],"NV8"],[[2143,2207],"disallowed"],[[2208,2208],"valid"],[[2209,2209],"valid"],[[2210,2220],"valid"],[[2221,2226],"valid"],[[2227,2228],"valid"],[[2229,2274],"disallowed"],[[2275,2275],"valid"],[[2276,2302],"valid"],[[2303,2303],"valid"],[[2304,2304],"valid"],[[2305,2307],"valid"],[[2308,2308],"valid"],[[2309,2361],"valid"],[[2362,2363],"valid"],[[2364,2381],"valid"],[[2382,2382],"valid"],[[2383,2383],"valid"],[[2384,2388],"valid"],[[2389,2389],"valid"],[[2390,2391],"valid"],[[2392,2392],"mapped",[2325,2364]],[[2393,2393],"mapped",[2326,2364]],[[2394,2394],"mapped",[2327,2364]],[[2395,2395],"mapped",[2332,2364]],[[2396,2396],"mapped",[2337,2364]],[[2397,2397],"mapped",[2338,2364]],[[2398,2398],"mapped",[2347,2364]],[[2399,2399],"mapped",[2351,2364]],[[2400,2403],"valid"],[[2404,2405],"valid",[],"NV8"],[[2406,2415],"valid"],[[2416,2416],"valid",[],"NV8"],[[2417,2418],"valid"],[[2419,2423],"valid"],[[2424,2424],"valid"],[[2425,2426],"valid"],[[2427,2428],"valid"],[[2429,2429],"valid"],[[2430,2431],"valid"],[[2432,2432],"valid"],[[2433,2435],"valid"],[[2436,2436],"disallowed"],[[2437,2444],"valid"],[[2445,2446],"disallowed"],[[2447,2448],"valid"],[[2449,2450],"disallowed"],[[2451,2472],"valid"],[[2473,2473],"disallowed"],[[2474,2480],"valid"],[[2481,2481],"disallowed"],[[2482,2482],"valid"],[[2483,2485],"disallowed"],[[2486,2489],"valid"],[[2490,2491],"disallowed"],[[2492,2492],"valid"],[[2493,2493],"valid"],[[2494,2500],"valid"],[[2501,2502],"disallowed"],[[2503,2504],"valid"],[[2505,2506],"disallowed"],[[2507,2509],"valid"],[[2510,2510],"valid"],[[2511,2518],"disallowed"],[[2519,2519],"valid"],[[2520,2523],"disallowed"],[[2524,2524],"mapped",[2465,2492]],[[2525,2525],"mapped",[2466,2492]],[[2526,2526],"disallowed"],[[2527,2527],"mapped",[2479,2492]],[[2528,2531],"valid"],[[2532,2533],"disallowed"],[[2534,2545],"valid"],[[2546,2554],"valid",[],"NV8"],[[2555,2555],"valid",[],"NV8"],[[2556,2560],"disallowed"],[[2561,2561],"valid"],[[2562,2562],"valid"],[[2563,2563],"valid"],[[2564,2564],"disallowed"],[[2565,2570],"valid"],[[2571,2574],"disallowed"],[[2575,2576],"valid"],[[2577,2578],"disallowed"],[[2579,2600],"valid"],[[2601,2601],"disallowed"],[[2602,2608],"valid"],[[2609,2609],"disallowed"],[[2610,2610],"valid"],[[2611,2611],"mapped",[2610,2620]],[[2612,2612],"disallowed"],[[2613,2613],"valid"],[[2614,2614],"mapped",[2616,2620]],[[2615,2615],"disallowed"],[[2616,2617],"valid"],[[2618,2619],"disallowed"],[[2620,2620],"valid"],[[2621,2621],"disallowed"],[[2622,2626],"valid"],[[2627,2630],"disallowed"],[[2631,2632],"valid"],[[2633,2634],"disallowed"],[[2635,2637],"valid"],[[2638,2640],"disallowed"],[[2641,2641],"valid"],[[2642,2648],"disallowed"],[[2649,2649],"mapped",[2582,2620]],[[2650,2650],"mapped",[2583,2620]],[[2651,2651],"mapped",[2588,2620]],[[2652,2652],"valid"],[[2653,2653],"disallowed"],[[2654,2654],"mapped",[2603,2620]],[[2655,2661],"disallowed"],[[2662,2676],"valid"],[[2677,2677],"valid"],[[2678,2688],"disallowed"],[[2689,2691],"valid"],[[2692,2692],"disallowed"],[[2693,2699],"valid"],[[2700,2700],"valid"],[[2701,2701],"valid"],[[2702,2702],"disallowed"],[[2703,2705],"valid"],[[2706,2706],"disallowed"],[[2707,2728],"valid"],[[2729,2729],"disallowed"],[[2730,2736],"valid"],[[2737,2737],"disallowed"],[[2738,2739],"valid"],[[2740,2740],"disallowed"],[[2741,2745],"valid"],[[2746,2747],"disallowed"],[[2748,2757],"valid"],[[2758,2758],"disallowed"],[[2759,2761],"valid"],[[2762,2762],"disallowed"],[[2763,2765],"valid"],[[2766,2767],"disallowed"],[[2768,2768],"valid"],[[2769,2783],"disallowed"],[[2784,2784],"valid"],[[2785,2787],"valid"],[[2788,2789],"disallowed"],[[2790,2799],"valid"],[[2800,2800],"valid",[],"NV8"],[[2801,2801],"valid",[],"NV8"],[[2802,2808],"disallowed"],[[2809,2809],"valid"],[[2810,2816],"disallowed"],[[2817,2819],"valid"],[[2820,2820],"disallowed"],[[2821,2828],"valid"],[[2829,2830],"disallowed"],[[2831,2832],"valid"],[[2833,2834],"disallowed"],[[2835,2856],"valid"],[[2857,2857],"disallowed"],[[2858,2864],"valid"],[[2865,2865],"disallowed"],[[2866,2867],"valid"],[[2868,2868],"disallowed"],[[2869,2869],"valid"],[[2870,2873],"valid"],[[2874,2875],"disallowed"],[[2876,2883],"valid"],[[2884,2884],"valid"],[[2885,2886],"disallowed"],[[2887,2888],"valid"],[[2889,2890],"disallowed"],[[2891,2893],"valid"],[[2894,2901],"disallowed"],[[2902,2903],"valid"],[[2904,2907],"disallowed"],[[2908,2908],"mapped",[2849,2876]],[[2909,2909],"mapped",[2850,2876]],[[2910,2910],"disallowed"],[[2911,2913],"valid"],[[2914,2915],"valid"],[[2916,2917],"disallowed"],[[2918,2927],"valid"],[[2928,2928],"valid",[],"NV8"],[[2929,2929],"valid"],[[2930,2935],"valid",[],"NV8"],[[2936,2945],"disallowed"],[[2946,2947],"valid"],[[2948,2948],"disallowed"],[[2949,2954],"valid"],[[2955,2957],"disallowed"],[[2958,2960],"valid"],[[2961,2961],"disallowed"],[[2962,2965],"valid"],[[2966,2968],"disallowed"],[[2969,2970],"valid"],[[2971,2971],"disallowed"],[[2972,2972],"valid"],[[2973,2973],"disallowed"],[[2974,2975],"valid"],[[2976,2978],"disallowed"],[[2979,2980],"valid"],[[2981,2983],"disallowed"],[[2984,2986],"valid"],[[2987,2989],"disallowed"],[[2990,2997],"valid"],[[2998,2998],"valid"],[[2999,3001],"valid"],[[3002,3005],"disallowed"],[[3006,3010],"valid"],[[3011,3013],"disallowed"],[[3014,3016],"valid"],[[3017,3017],"disallowed"],[[3018,3021],"valid"],[[3022,3023],"disallowed"],[[3024,3024],"valid"],[[3025,3030],"disallowed"],[[3031,3031],"valid"],[[3032,3045],"disallowed"],[[3046,3046],"valid"],[[3047,3055],"valid"],[[3056,3058],"valid",[],"NV8"],[[3059,3066],"valid",[],"NV8"],[[3067,3071],"disallowed"],[[3072,3072],"valid"],[[3073,3075],"valid"],[[3076,3076],"disallowed"],[[3077,3084],"valid"],[[3085,3085],"disallowed"],[[3086,3088],"valid"],[[3089,3089],"disallowed"],[[3090,3112],"valid"],[[3113,3113],"disallowed"],[[3114,3123],"valid"],[[3124,3124],"valid"],[[3125,3129],"valid"],[[3130,3132],"disallowed"],[[3133,3133],"valid"],[[3134,3140],"valid"],[[3141,3141],"disallowed"],[[3142,3144],"valid"],[[3145,3145],"disallowed"],[[3146,3149],"valid"],[[3150,3156],"disallowed"],[[3157,3158],"valid"],[[3159,3159],"disallowed"],[[3160,3161],"valid"],[[3162,3162],"valid"],[[3163,3167],"disallowed"],[[3168,3169],"valid"],[[3170,3171],"valid"],[[3172,3173],"disallowed"],[[3174,3183],"valid"],[[3184,3191],"disallowed"],[[3192,3199],"valid",[],"NV8"],[[3200,3200],"disallowed"],[[3201,3201],"valid"],[[3202,3203],"valid"],[[3204,3204],"disallowed"],[[3205,3212],"valid"],[[3213,3213],"disallowed"],[[3214,3216],"valid"],[[3217,3217],"disallowed"],[[3218,3240],"valid"],[[3241,3241],"disallowed"],[[3242,3251],"valid"],[[3252,3252],"disallowed"],[[3253,3257],"valid"],[[3258,3259],"disallowed"],[[3260,3261],"valid"],[[3262,3268],"valid"],[[3269,3269],"disallowed"],[[3270,3272],"valid"],[[3273,3273],"disallowed"],[[3274,3277],"valid"],[[3278,3284],"disallowed"],[[3285,3286],"valid"],[[3287,3293],"disallowed"],[[3294,3294],"valid"],[[3295,3295],"disallowed"],[[3296,3297],"valid"],[[3298,3299],"valid"],[[3300,3301],"disallowed"],[[3302,3311],"valid"],[[3312,3312],"disallowed"],[[3313,3314],"valid"],[[3315,3328],"disallowed"],[[3329,3329],"valid"],[[3330,3331],"valid"],[[3332,3332],"disallowed"],[[3333,3340],"valid"],[[3341,3341],"disallowed"],[[3342,3344],"valid"],[[3345,3345],"disallowed"],[[3346,3368],"valid"],[[3369,3369],"valid"],[[3370,3385],"valid"],[[3386,3386],"valid"],[[3387,3388],"disallowed"],[[3389,3389],"valid"],[[3390,3395],"valid"],[[3396,3396],"valid"],[[3397,3397],"disallowed"],[[3398,3400],"valid"],[[3401,3401],"disallowed"],[[3402,3405],"valid"],[[3406,3406],"valid"],[[3407,3414],"disallowed"],[[3415,3415],"valid"],[[3416,3422],"disallowed"],[[3423,3423],"valid"],[[3424,3425],"valid"],[[3426,3427],"valid"],[[3428,3429],"disallowed"],[[3430,3439],"valid"],[[3440,3445],"valid",[],"NV8"],[[3446,3448],"disallowed"],[[3449,3449],"valid",[],"NV8"],[[3450,3455],"valid"],[[3456,3457],"disallowed"],[[3458,3459],"valid"],[[3460,3460],"disallowed"],[[3461,3478],"valid"],[[3479,3481],"disallowed"],[[3482,3505],"valid"],[[3506,3506],"disallowed"],[[3507,3515],"valid"],[[3516,3516],"disallowed"],[[3517,3517],"valid"],[[3518,3519],"disallowed"],[[3520,3526],"valid"],[[3527,3529],"disallowed"],[[3530,3530],"valid"],[[3531,3534],"disallowed"],[[3535,3540],"valid"],[[3541,3541],"disallowed"],[[3542,3542],"valid"],[[3543,3543],"disallowed"],[[3544,3551],"valid"],[[3552,3557],"disallowed"],[[3558,3567],"valid"],[[3568,3569],"disallowed"],[[3570,3571],"valid"],[[3572,3572],"valid",[],"NV8"],[[3573,3584],"disallowed"],[[3585,3634],"valid"],[[3635,3635],"mapped",[3661,3634]],[[3636,3642],"valid"],[[3643,3646],"disallowed"],[[3647,3647],"valid",[],"NV8"],[[3648,3662],"valid"],[[3663,3663],"valid",[],"NV8"],[[3664,3673],"valid"],[[3674,3675],"valid",[],"NV8"],[[3676,3712],"disallowed"],[[3713,3714],"valid"],[[3715,3715],"disallowed"],[[3716,3716],"valid"],[[3717,3718],"disallowed"],[[3719,3720],"valid"],[[3721,3721],"disallowed"],[[3722,3722],"valid"],[[3723,3724],"disallowed"],[[3725,3725],"valid"],[[3726,3731],"disallowed"],[[3732,3735],"valid"],[[3736,3736],"disallowed"],[[3737,3743],"valid"],[[3744,3744],"disallowed"],[[3745,3747],"valid"],[[3748,3748],"disallowed"],[[3749,3749],"valid"],[[3750,3750],"disallowed"],[[3751,3751],"valid"],[[3752,3753],"disallowed"],[[3754,3755],"valid"],[[3756,3756],"disallowed"],[[3757,3762],"valid"],[[3763,3763],"mapped",[3789,3762]],[[3764,3769],"valid"],[[3770,3770],"disallowed"],[[3771,3773],"valid"],[[3774,3775],"disallowed"],[[3776,3780],"valid"],[[3781,3781],"disallowed"],[[3782,3782],"valid"],[[3783,3783],"disallowed"],[[3784,3789],"valid"],[[3790,3791],"disallowed"],[[3792,3801],"valid"],[[3802,3803],"disallowed"],[[3804,3804],"mapped",[3755,3737]],[[3805,3805],"mapped",[3755,3745]],[[3806,3807],"valid"],[[3808,3839],"disallowed"],[[3840,3840],"valid"],[[3841,3850],"valid",[],"NV8"],[[3851,3851],"valid"],[[3852,3852],"mapped",[3851]],[[3853,3863],"valid",[],"NV8"],[[3864,3865],"valid"],[[3866,3871],"valid",[],"NV8"],[[3872,3881],"valid"],[[3882,3892],"valid",[],"NV8"],[[3893,3893],"valid"],[[3894,3894],"valid",[],"NV8"],[[3895,3895],"valid"],[[3896,3896],"valid",[],"NV8"],[[3897,3897],"valid"],[[3898,3901],"valid",[],"NV8"],[[3902,3906],"valid"],[[3907,3907],"mapped",[3906,4023]],[[3908,3911],"valid"],[[3912,3912],"disallowed"],[[3913,3916],"valid"],[[3917,3917],"mapped",[3916,4023]],[[3918,3921],"valid"],[[3922,3922],"mapped",[3921,4023]],[[3923,3926],"valid"],[[3927,3927],"mapped",[3926,4023]],[[3928,3931],"valid"],[[3932,3932],"mapped",[3931,4023]],[[3933,3944],"valid"],[[3945,3945],"mapped",[3904,4021]],[[3946,3946],"valid"],[[3947,3948],"valid"],[[3949,3952],"disallowed"],[[3953,3954],"valid"],[[3955,3955],"mapped",[3953,3954]],[[3956,3956],"valid"],[[3957,3957],"mapped",[3953,3956]],[[3958,3958],"mapped",[4018,3968]],[[3959,3959],"mapped",[4018,3953,3968]],[[3960,3960],"mapped",[4019,3968]],[[3961,3961],"mapped",[4019,3953,3968]],[[3962,3968],"valid"],[[3969,3969],"mapped",[3953,3968]],[[3970,3972],"valid"],[[3973,3973],"valid",[],"NV8"],[[3974,3979],"valid"],[[3980,3983],"valid"],[[3984,3986],"valid"],[[3987,3987],"mapped",[3986,4023]],[[3988,3989],"valid"],[[3990,3990],"valid"],[[3991,3991],"valid"],[[3992,3992],"disallowed"],[[3993,3996],"valid"],[[3997,3997],"mapped",[3996,4023]],[[3998,4001],"valid"],[[4002,4002],"mapped",[4001,4023]],[[4003,4006],"valid"],[[4007,4007],"mapped",[4006,4023]],[[4008,4011],"valid"],[[4012,4012],"mapped",[4011,4023]],[[4013,4013],"valid"],[[4014,4016],"valid"],[[4017,4023],"valid"],[[4024,4024],"valid"],[[4025,4025],"mapped",[3984,4021]],[[4026,4028],"valid"],[[4029,4029],"disallowed"],[[4030,4037],"valid",[],"NV8"],[[4038,4038],"valid"],[[4039,4044],"valid",[],"NV8"],[[4045,4045],"disallowed"],[[4046,4046],"valid",[],"NV8"],[[4047,4047],"valid",[],"NV8"],[[4048,4049],"valid",[],"NV8"],[[4050,4052],"valid",[],"NV8"],[[4053,4056],"valid",[],"NV8"],[[4057,4058],"valid",[],"NV8"],[[4059,4095],"disallowed"],[[4096,4129],"valid"],[[4130,4130],"valid"],[[4131,4135],"valid"],[[4136,4136],"valid"],[[4137,4138],"valid"],[[4139,4139],"valid"],[[4140,4146],"valid"],[[4147,4149],"valid"],[[4150,4153],"valid"],[[4154,4159],"valid"],[[4160,4169],"valid"],[[4170,4175],"valid",[],"NV8"],[[4176,4185],"valid"],[[4186,4249],"valid"],[[4250,4253],"valid"],[[4254,4255],"valid",[],"NV8"],[[4256,4293],"disallowed"],[[4294,4294],"disallowed"],[[4295,4295],"mapped",[11559]],[[4296,4300],"disallowed"],[[4301,4301],"mapped",[11565]],[[4302,4303],"disallowed"],[[4304,4342],"valid"],[[4343,4344],"valid"],[[4345,4346],"valid"],[[4347,4347],"valid",[],"NV8"],[[4348,4348],"mapped",[4316]],[[4349,4351],"valid"],[[4352,4441],"valid",[],"NV8"],[[4442,4446],"valid",[],"NV8"],[[4447,4448],"disallowed"],[[4449,4514],"valid",[],"NV8"],[[4515,4519],"valid",[],"NV8"],[[4520,4601],"valid",[],"NV8"],[[4602,4607],"valid",[],"NV8"],[[4608,4614],"valid"],[[4615,4615],"valid"],[[4616,4678],"valid"],[[4679,4679],"valid"],[[4680,4680],"valid"],[[4681,4681],"disallowed"],[[4682,4685],"valid"],[[4686,4687],"disallowed"],[[4688,4694],"valid"],[[4695,4695],"disallowed"],[[4696,4696],"valid"],[[4697,4697],"disallowed"],[[4698,4701],"valid"],[[4702,4703],"disallowed"],[[4704,4742],"valid"],[[4743,4743],"valid"],[[4744,4744],"valid"],[[4745,4745],"disallowed"],[[4746,4749],"valid"],[[4750,4751],"disallowed"],[[4752,4782],"valid"],[[4783,4783],"valid"],[[4784,4784],"valid"],[[4785,4785],"disallowed"],[[4786,4789],"valid"],[[4790,4791],"disallowed"],[[4792,4798],"valid"],[[4799,4799],"disallowed"],[[4800,4800],"valid"],[[4801,4801],"disallowed"],[[4802,4805],"valid"],[[4806,4807],"disallowed"],[[4808,4814],"valid"],[[4815,4815],"valid"],[[4816,4822],"valid"],[[4823,4823],"disallowed"],[[4824,4846],"valid"],[[4847,4847],"valid"],[[4848,4878],"valid"],[[4879,4879],"valid"],[[4880,4880],"valid"],[[4881,4881],"disallowed"],[[4882,4885],"valid"],[[4886,4887],"disallowed"],[[4888,4894],"valid"],[[4895,4895],"valid"],[[4896,4934],"valid"],[[4935,4935],"valid"],[[4936,4954],"valid"],[[4955,4956],"disallowed"],[[4957,4958],"valid"],[[4959,4959],"valid"],[[4960,4960],"valid",[],"NV8"],[[4961,4988],"valid",[],"NV8"],[[4989,4991],"disallowed"],[[4992,5007],"valid"],[[5008,5017],"valid",[],"NV8"],[[5018,5023],"disallowed"],[[5024,5108],"valid"],[[5109,5109],"valid"],[[5110,5111],"disallowed"],[[5112,5112],"mapped",[5104]],[[5113,5113],"mapped",[5105]],[[5114,5114],"mapped",[5106]],[[5115,5115],"mapped",[5107]],[[5116,5116],"mapped",[5108]],[[5117,5117],"mapped",[5109]],[[5118,5119],"disallowed"],[[5120,5120],"valid",[],"NV8"],[[5121,5740],"valid"],[[5741,5742],"valid",[],"NV8"],[[5743,5750],"valid"],[[5751,5759],"valid"],[[5760,5760],"disallowed"],[[5761,5786],"valid"],[[5787,5788],"valid",[],"NV8"],[[5789,5791],"disallowed"],[[5792,5866],"valid"],[[5867,5872],"valid",[],"NV8"],[[5873,5880],"valid"],[[5881,5887],"disallowed"],[[5888,5900],"valid"],[[5901,5901],"disallowed"],[[5902,5908],"valid"],[[5909,5919],"disallowed"],[[5920,5940],"valid"],[[5941,5942],"valid",[],"NV8"],[[5943,5951],"disallowed"],[[5952,5971],"valid"],[[5972,5983],"disallowed"],[[5984,5996],"valid"],[[5997,5997],"disallowed"],[[5998,6000],"valid"],[[6001,6001],"disallowed"],[[6002,6003],"valid"],[[6004,6015],"disallowed"],[[6016,6067],"valid"],[[6068,6069],"disallowed"],[[6070,6099],"valid"],[[6100,6102],"valid",[],"NV8"],[[6103,6103],"valid"],[[6104,6107],"valid",[],"NV8"],[[6108,6108],"valid"],[[6109,6109],"valid"],[[6110,6111],"disallowed"],[[6112,6121],"valid"],[[6122,6127],"disallowed"],[[6128,6137],"valid",[],"NV8"],[[6138,6143],"disallowed"],[[6144,6149],"valid",[],"NV8"],[[6150,6150],"disallowed"],[[6151,6154],"valid",[],"NV8"],[[6155,6157],"ignored"],[[6158,6158],"disallowed"],[[6159,6159],"disallowed"],[[6160,6169],"valid"],[[6170,6175],"disallowed"],[[6176,6263],"valid"],[[6264,6271],"disallowed"],[[6272,6313],"valid"],[[6314,6314],"valid"],[[6315,6319],"disallowed"],[[6320,6389],"valid"],[[6390,6399],"disallowed"],[[6400,6428],"valid"],[[6429,6430],"valid"],[[6431,6431],"disallowed"],[[6432,6443],"valid"],[[6444,6447],"disallowed"],[[6448,6459],"valid"],[[6460,6463],"disallowed"],[[6464,6464],"valid",[],"NV8"],[[6465,6467],"disallowed"],[[6468,6469],"valid",[],"NV8"],[[6470,6509],"valid"],[[6510,6511],"disallowed"],[[6512,6516],"valid"],[[6517,6527],"disallowed"],[[6528,6569],"valid"],[[6570,6571],"valid"],[[6572,6575],"disallowed"],[[6576,6601],"valid"],[[6602,6607],"disallowed"],[[6608,6617],"valid"],[[6618,6618],"valid",[],"XV8"],[[6619,6621],"disallowed"],[[6622,6623],"valid",[],"NV8"],[[6624,6655],"valid",[],"NV8"],[[6656,6683],"valid"],[[6684,6685],"disallowed"],[[6686,6687],"valid",[],"NV8"],[[6688,6750],"valid"],[[6751,6751],"disallowed"],[[6752,6780],"valid"],[[6781,6782],"disallowed"],[[6783,6793],"valid"],[[6794,6799],"disallowed"],[[6800,6809],"valid"],[[6810,6815],"disallowed"],[[6816,6822],"valid",[],"NV8"],[[6823,6823],"valid"],[[6824,6829],"valid",[],"NV8"],[[6830,6831],"disallowed"],[[6832,6845],"valid"],[[6846,6846],"valid",[],"NV8"],[[6847,6911],"disallowed"],[[6912,6987],"valid"],[[6988,6991],"disallowed"],[[6992,7001],"valid"],[[7002,7018],"valid",[],"NV8"],[[7019,7027],"valid"],[[7028,7036],"valid",[],"NV8"],[[7037,7039],"disallowed"],[[7040,7082],"valid"],[[7083,7085],"valid"],[[7086,7097],"valid"],[[7098,7103],"valid"],[[7104,7155],"valid"],[[7156,7163],"disallowed"],[[7164,7167],"valid",[],"NV8"],[[7168,7223],"valid"],[[7224,7226],"disallowed"],[[7227,7231],"valid",[],"NV8"],[[7232,7241],"valid"],[[7242,7244],"disallowed"],[[7245,7293],"valid"],[[7294,7295],"valid",[],"NV8"],[[7296,7359],"disallowed"],[[7360,7367],"valid",[],"NV8"],[[7368,7375],"disallowed"],[[7376,7378],"valid"],[[7379,7379],"valid",[],"NV8"],[[7380,7410],"valid"],[[7411,7414],"valid"],[[7415,7415],"disallowed"],[[7416,7417],"valid"],[[7418,7423],"disallowed"],[[7424,7467],"valid"],[[7468,7468],"mapped",[97]],[[7469,7469],"mapped",[230]],[[7470,7470],"mapped",[98]],[[7471,7471],"valid"],[[7472,7472],"mapped",[100]],[[7473,7473],"mapped",[101]],[[7474,7474],"mapped",[477]],[[7475,7475],"mapped",[103]],[[7476,7476],"mapped",[104]],[[7477,7477],"mapped",[105]],[[7478,7478],"mapped",[106]],[[7479,7479],"mapped",[107]],[[7480,7480],"mapped",[108]],[[7481,7481],"mapped",[109]],[[7482,7482],"mapped",[110]],[[7483,7483],"valid"],[[7484,7484],"mapped",[111]],[[7485,7485],"mapped",[547]],[[7486,7486],"mapped",[112]],[[7487,7487],"mapped",[114]],[[7488,7488],"mapped",[116]],[[7489,7489],"mapped",[117]],[[7490,7490],"mapped",[119]],[[7491,7491],"mapped",[97]],[[7492,7492],"mapped",[592]],[[7493,7493],"mapped",[593]],[[7494,7494],"mapped",[7426]],[[7495,7495],"mapped",[98]],[[7496,7496],"mapped",[100]],[[7497,7497],"mapped",[101]],[[7498,7498],"mapped",[601]],[[7499,7499],"mapped",[603]],[[7500,7500],"mapped",[604]],[[7501,7501],"mapped",[103]],[[7502,7502],"valid"],[[7503,7503],"mapped",[107]],[[7504,7504],"mapped",[109]],[[7505,7505],"mapped",[331]],[[7506,7506],"mapped",[111]],[[7507,7507],"mapped",[596]],[[7508,7508],"mapped",[7446]],[[7509,7509],"mapped",[7447]],[[7510,7510],"mapped",[112]],[[7511,7511],"mapped",[116]],[[7512,7512],"mapped",[117]],[[7513,7513],"mapped",[7453]],[[7514,7514],"mapped",[623]],[[7515,7515],"mapped",[118]],[[7516,7516],"mapped",[7461]],[[7517,7517],"mapped",[946]],[[7518,7518],"mapped",[947]],[[7519,7519],"mapped",[948]],[[7520,7520],"mapped",[966]],[[7521,7521],"mapped",[967]],[[7522,7522],"mapped",[105]],[[7523,7523],"mapped",[114]],[[7524,7524],"mapped",[117]],[[7525,7525],"mapped",[118]],[[7526,7526],"mapped",[946]],[[7527,7527],"mapped",[947]],[[7528,7528],"mapped",[961]],[[7529,7529],"mapped",[966]],[[7530,7530],"mapped",[967]],[[7531,7531],"valid"],[[7532,7543],"valid"],[[7544,7544],"mapped",[1085]],[[7545,7578],"valid"],[[7579,7579],"mapped",[594]],[[7580,7580],"mapped",[99]],[[7581,7581],"mapped",[597]],[[7582,7582],"mapped",[240]],[[7583,7583],"mapped",[604]],[[7584,7584],"mapped",[102]],[[7585,7585],"mapped",[607]],[[7586,7586],"mapped",[609]],[[7587,7587],"mapped",[613]],[[7588,7588],"mapped",[616]],[[7589,7589],"mapped",[617]],[[7590,7590],"mapped",[618]],[[7591,7591],"mapped",[7547]],[[7592,7592],"mapped",[669]],[[7593,7593],"mapped",[621]],[[7594,7594],"mapped",[7557]],[[7595,7595],"mapped",[671]],[[7596,7596],"mapped",[625]],[[7597,7597],"mapped",[624]],[[7598,7598],"mapped",[626]],[[7599,7599],"mapped",[627]],[[7600,7600],"mapped",[628]],[[7601,7601],"mapped",[629]],[[7602,7602],"mapped",[632]],[[7603,7603],"mapped",[642]],[[7604,7604],"mapped",[643]],[[7605,7605],"mapped",[427]],[[7606,7606],"mapped",[649]],[[7607,7607],"mapped",[650]],[[7608,7608],"mapped",[7452]],[[7609,7609],"mapped",[651]],[[7610,7610],"mapped",[652]],[[7611,7611],"mapped",[122]],[[7612,7612],"mapped",[656]],[[7613,7613],"mapped",[657]],[[7614,7614],"mapped",[658]],[[7615,7615],"mapped",[952]],[[7616,7619],"valid"],[[7620,7626],"valid"],[[7627,7654],"valid"],[[7655,7669],"valid"],[[7670,7675],"disallowed"],[[7676,7676],"valid"],[[7677,7677],"valid"],[[7678,7679],"valid"],[[7680,7680],"mapped",[7681]],[[7681,7681],"valid"],[[7682,7682],"mapped",[7683]],[[7683,7683],"valid"],[[7684,7684],"mapped",[7685]],[[7685,7685],"valid"],[[7686,7686],"mapped",[7687]],[[7687,7687],"valid"],[[7688,7688],"mapped",[7689]],[[7689,7689],"valid"],[[7690,7690],"mapped",[7691]],[[7691,7691],"valid"],[[7692,7692],"mapped",[7693]],[[7693,7693],"valid"],[[7694,7694],"mapped",[7695]],[[7695,7695],"valid"],[[7696,7696],"mapped",[7697]],[[7697,7697],"valid"],[[7698,7698],"mapped",[7699]],[[7699,7699],"valid"],[[7700,7700],"mapped",[7701]],[[7701,7701],"valid"],[[7702,7702],"mapped",[7703]],[[7703,7703],"valid"],[[7704,7704],"mapped",[7705]],[[7705,7705],"valid"],[[7706,7706],"mapped",[7707]],[[7707,7707],"valid"],[[7708,7708],"mapped",[7709]],[[7709,7709],"valid"],[[7710,7710],"mapped",[7711]],[[7711,7711],"valid"],[[7712,7712],"mapped",[7713]],[[7713,7713],"valid"],[[7714,7714],"mapped",[7715]],[[7715,7715],"valid"],[[7716,7716],"mapped",[7717]],[[7717,7717],"valid"],[[7718,7718],"mapped",[7719]],[[7719,7719],"valid"],[[7720,7720],"mapped",[7721]],[[7721,7721],"valid"],[[7722,7722],"mapped",[7723]],[[7723,7723],"valid"],[[7724,7724],"mapped",[7725]],[[7725,7725],"valid"],[[7726,7726],"mapped",[7727]],[[7727,7727],"valid"],[[7728,7728],"mapped",[7729]],[[7729,7729],"valid"],[[7730,7730],"mapped",[7731]],[[7731,7731],"valid"],[[7732,7732],"mapped",[7733]],[[7733,7733],"valid"],[[7734,7734],"mapped",[7735]],[[7735,7735],"valid"],[[7736,7736],"mapped",[7737]],[[7737,7737],"valid"],[[7738,7738],"mapped",[7739]],[[7739,7739],"valid"],[[7740,7740],"mapped",[7741]],[[7741,7741],"valid"],[[7742,7742],"mapped",[7743]],[[7743,7743],"valid"],[[7744,7744],"mapped",[7745]],[[7745,7745],"valid"],[[7746,7746],"mapped",[7747]],[[7747,7747],"valid"],[[7748,7748],"mapped",[7749]],[[7749,7749],"valid"],[[7750,7750],"mapped",[7751]],[[7751,7751],"valid"],[[7752,7752],"mapped",[7753]],[[7753,7753],"valid"],[[7754,7754],"mapped",[7755]],[[7755,7755],"valid"],[[7756,7756],"mapped",[7757]],[[7757,7757],"valid"],[[7758,7758],"mapped",[7759]],[[7759,7759],"valid"],[[7760,7760],"mapped",[7761]],[[7761,7761],"valid"],[[7762,7762],"mapped",[7763]],[[7763,7763],"valid"],[[7764,7764],"mapped",[7765]],[[7765,7765],"valid"],[[7766,7766],"mapped",[7767]],[[7767,7767],"valid"],[[7768,7768],"mapped",[7769]],[[7769,7769],"valid"],[[7770,7770],"mapped",[7771]],[[7771,7771],"valid"],[[7772,7772],"mapped",[7773]],[[7773,7773],"valid"],[[7774,7774],"mapped",[7775]],[[7775,7775],"valid"],[[7776,7776],"mapped",[7777]],[[7777,7777],"valid"],[[7778,7778],"mapped",[7779]],[[7779,7779],"valid"],[[7780,7780],"mapped",[7781]],[[7781,7781],"valid"],[[7782,7782],"mapped",[7783]],[[7783,7783],"valid"],[[7784,7784],"mapped",[7785]],[[7785,7785],"valid"],[[7786,7786],"mapped",[7787]],[[7787,7787],"valid"],[[7788,7788],"mapped",[7789]],[[7789,7789],"valid"],[[7790,7790],"mapped",[7791]],[[7791,7791],"valid"],[[7792,7792],"mapped",[7793]],[[7793,7793],"valid"],[[7794,7794],"mapped",[7795]],[[7795,7795],"valid"],[[7796,7796],"mapped",[7797]],[[7797,7797],"valid"],[[7798,7798],"mapped",[7799]],[[7799,7799],"valid"],[[7800,7800],"mapped",[7801]],[[7801,7801],"valid"],[[7802,7802],"mapped",[7803]],[[7803,7803],"valid"],[[7804,7804],"mapped",[7805]],[[7805,7805],"valid"],[[7806,7806],"mapped",[7807]],[[7807,7807],"valid"],[[7808,7808],"mapped",[7809]],[[7809,7809],"valid"],[[7810,7810],"mapped",[7811]],[[7811,7811],"valid"],[[7812,7812],"mapped",[7813]],[[7813,7813],"valid"],[[7814,7814],"mapped",[7815]],[[7815,7815],"valid"],[[7816,7816],"mapped",[7817]],[[7817,7817],"valid"],[[7818,7818],"mapped",[7819]],[[7819,7819],"valid"],[[7820,7820],"mapped",[7821]],[[7821,7821],"valid"],[[7822,7822],"mapped",[7823]],[[7823,7823],"valid"],[[7824,7824],"mapped",[7825]],[[7825,7825],"valid"],[[7826,7826],"mapped",[7827]],[[7827,7827],"valid"],[[7828,7828],"mapped",[7829]],[[7829,7833],"valid"],[[7834,7834],"mapped",[97,702]],[[7835,7835],"mapped",[7777]],[[7836,7837],"valid"],[[7838,7838],"mapped",[115,115]],[[7839,7839],"valid"],[[7840,7840],"mapped",[7841]],[[7841,7841],"valid"],[[7842,7842],"mapped",[7843]],[[7843,7843],"valid"],[[7844,7844],"mapped",[7845]],[[7845,7845],"valid"],[[7846,7846],"mapped",[7847]],[[7847,7847],"valid"],[[7848,7848],"mapped",[7849]],[[7849,7849],"valid"],[[7850,7850],"mapped",[7851]],[[7851,7851],"valid"],[[7852,7852],"mapped",[7853]],[[7853,7853],"valid"],[[7854,7854],"mapped",[7855]],[[7855,7855],"valid"],[[7856,7856],"mapped",[7857]],[[7857,7857],"valid"],[[7858,7858],"mapped",[7859]],[[7859,7859],"valid"],[[7860,7860],"mapped",[7861]],[[7861,7861],"valid"],[[7862,7862],"mapped",[7863]],[[7863,7863],"valid"],[[7864,7864],"mapped",[7865]],[[7865,7865],"valid"],[[7866,7866],"mapped",[7867]],[[7867,7867],"valid"],[[7868,7868],"mapped",[7869]],[[7869,7869],"valid"],[[7870,7870],"mapped",[7871]],[[7871,7871],"valid"],[[7872,7872],"mapped",[7873]],[[7873,7873],"valid"],[[7874,7874],"mapped",[7875]],[[7875,7875],"valid"],[[7876,7876],"mapped",[7877]],[[7877,7877],"valid"],[[7878,7878],"mapped",[7879]],[[7879,7879],"valid"],[[7880,7880],"mapped",[7881]],[[7881,7881],"valid"],[[7882,7882],"mapped",[7883]],[[7883,7883],"valid"],[[7884,7884],"mapped",[7885]],[[7885,7885],"valid"],[[7886,7886],"mapped",[7887]],[[7887,7887],"valid"],[[7888,7888],"mapped",[7889]],[[7889,7889],"valid"],[[7890,7890],"mapped",[7891]],[[7891,7891],"valid"],[[7892,7892],"mapped",[7893]],[[7893,7893],"valid"],[[7894,7894],"mapped",[7895]],[[7895,7895],"valid"],[[7896,7896],"mapped",[7897]],[[7897,7897],"valid"],[[7898,7898],"mapped",[7899]],[[7899,7899],"valid"],[[7900,7900],"mapped",[7901]],[[7901,7901],"valid"],[[7902,7902],"mapped",[7903]],[[7903,7903],"valid"],[[7904,7904],"mapped",[7905]],[[7905,7905],"valid"],[[7906,7906],"mapped",[7907]],[[7907,7907],"valid"],[[7908,7908],"mapped",[7909]],[[7909,7909],"valid"],[[7910,7910],"mapped",[7911]],[[7911,7911],"valid"],[[7912,7912],"mapped",[7913]],[[7913,7913],"valid"],[[7914,7914],"mapped",[7915]],[[7915,7915],"valid"],[[7916,7916],"mapped",[7917]],[[7917,7917],"valid"],[[7918,7918],"mapped",[7919]],[[7919,7919],"valid"],[[7920,7920],"mapped",[7921]],[[7921,7921],"valid"],[[7922,7922],"mapped",[7923]],[[7923,7923],"valid"],[[7924,7924],"mapped",[7925]],[[7925,7925],"valid"],[[7926,7926],"mapped",[7927]],[[7927,7927],"valid"],[[7928,7928],"mapped",[7929]],[[7929,7929],"valid"],[[7930,7930],"mapped",[7931]],[[7931,7931],"valid"],[[7932,7932],"mapped",[7933]],[[7933,7933],"valid"],[[7934,7934],"mapped",[7935]],[[7935,7935],"valid"],[[7936,7943],"valid"],[[7944,7944],"mapped",[7936]],[[7945,7945],"mapped",[7937]],[[7946,7946],"mapped",[7938]],[[7947,7947],"mapped",[7939]],[[7948,7948],"mapped",[7940]],[[7949,7949],"mapped",[7941]],[[7950,7950],"mapped",[7942]],[[7951,7951],"mapped",[7943]],[[7952,7957],"valid"],[[7958,7959],"disallowed"],[[7960,7960],"mapped",[7952]],[[7961,7961],"mapped",[7953]],[[7962,7962],"mapped",[7954]],[[7963,7963],"mapped",[7955]],[[7964,7964],"mapped",[7956]],[[7965,7965],"mapped",[7957]],[[7966,7967],"disallowed"],[[7968,7975],"valid"],[[7976,7976],"mapped",[7968]],[[7977,7977],"mapped",[7969]],[[7978,7978],"mapped",[7970]],[[7979,7979],"mapped",[7971]],[[7980,7980],"mapped",[7972]],[[7981,7981],"mapped",[7973]],[[7982,7982],"mapped",[7974]],[[7983,7983],"mapped",[7975]],[[7984,7991],"valid"],[[7992,7992],"mapped",[7984]],[[7993,7993],"mapped",[7985]],[[7994,7994],"mapped",[7986]],[[7995,7995],"mapped",[7987]],[[7996,7996],"mapped",[7988]],[[7997,7997],"mapped",[7989]],[[7998,7998],"mapped",[7990]],[[7999,7999],"mapped",[7991]],[[8000,8005],"valid"],[[8006,8007],"disallowed"],[[8008,8008],"mapped",[8000]],[[8009,8009],"mapped",[8001]],[[8010,8010],"mapped",[8002]],[[8011,8011],"mapped",[8003]],[[8012,8012],"mapped",[8004]],[[8013,8013],"mapped",[8005]],[[8014,8015],"disallowed"],[[8016,8023],"valid"],[[8024,8024],"disallowed"],[[8025,8025],"mapped",[8017]],[[8026,8026],"disallowed"],[[8027,8027],"mapped",[8019]],[[8028,8028],"disallowed"],[[8029,8029],"mapped",[8021]],[[8030,8030],"disallowed"],[[8031,8031],"mapped",[8023]],[[8032,8039],"valid"],[[8040,8040],"mapped",[8032]],[[8041,8041],"mapped",[8033]],[[8042,8042],"mapped",[8034]],[[8043,8043],"mapped",[8035]],[[8044,8044],"mapped",[8036]],[[8045,8045],"mapped",[8037]],[[8046,8046],"mapped",[8038]],[[8047,8047],"mapped",[8039]],[[8048,8048],"valid"],[[8049,8049],"mapped",[940]],[[8050,8050],"valid"],[[8051,8051],"mapped",[941]],[[8052,8052],"valid"],[[8053,8053],"mapped",[942]],[[8054,8054],"valid"],[[8055,8055],"mapped",[943]],[[8056,8056],"valid"],[[8057,8057],"mapped",[972]],[[8058,8058],"valid"],[[8059,8059],"mapped",[973]],[[8060,8060],"valid"],[[8061,8061],"mapped",[974]],[[8062,8063],"disallowed"],[[8064,8064],"mapped",[7936,953]],[[8065,8065],"mapped",[7937,953]],[[8066,8066],"mapped",[7938,953]],[[8067,8067],"mapped",[7939,953]],[[8068,8068],"mapped",[7940,953]],[[8069,8069],"mapped",[7941,953]],[[8070,8070],"mapped",[7942,953]],[[8071,8071],"mapped",[7943,953]],[[8072,8072],"mapped",[7936,953]],[[8073,8073],"mapped",[7937,953]],[[8074,8074],"mapped",[7938,953]],[[8075,8075],"mapped",[7939,953]],[[8076,8076],"mapped",[7940,953]],[[8077,8077],"mapped",[7941,953]],[[8078,8078],"mapped",[7942,953]],[[8079,8079],"mapped",[7943,953]],[[8080,8080],"mapped",[7968,953]],[[8081,8081],"mapped",[7969,953]],[[8082,8082],"mapped",[7970,953]],[[8083,8083],"mapped",[7971,953]],[[8084,8084],"mapped",[7972,953]],[[8085,8085],"mapped",[7973,953]],[[8086,8086],"mapped",[7974,953]],[[8087,8087],"mapped",[7975,953]],[[8088,8088],"mapped",[7968,953]],[[8089,8089],"mapped",[7969,953]],[[8090,8090],"mapped",[7970,953]],[[8091,8091],"mapped",[7971,953]],[[8092,8092],"mapped",[7972,953]],[[8093,8093],"mapped",[7973,953]],[[8094,8094],"mapped",[7974,953]],[[8095,8095],"mapped",[7975,953]],[[8096,8096],"mapped",[8032,953]],[[8097,8097],"mapped",[8033,953]],[[8098,8098],"mapped",[8034,953]],[[8099,8099],"mapped",[8035,953]],[[8100,8100],"mapped",[8036,953]],[[8101,8101],"mapped",[8037,953]],[[8102,8102],"mapped",[8038,953]],[[8103,8103],"mapped",[8039,953]],[[8104,8104],"mapped",[8032,953]],[[8105,8105],"mapped",[8033,953]],[[8106,8106],"mapped",[8034,953]],[[8107,8107],"mapped",[8035,953]],[[8108,8108],"mapped",[8036,953]],[[8109,8109],"mapped",[8037,953]],[[8110,8110],"mapped",[8038,953]],[[8111,8111],"mapped",[8039,953]],[[8112,8113],"valid"],[[8114,8114],"mapped",[8048,953]],[[8115,8115],"mapped",[945,953]],[[8116,8116],"mapped",[940,953]],[[8117,8117],"disallowed"],[[8118,8118],"valid"],[[8119,8119],"mapped",[8118,953]],[[8120,8120],"mapped",[8112]],[[8121,8121],"mapped",[8113]],[[8122,8122],"mapped",[8048]],[[8123,8123],"mapped",[940]],[[8124,8124],"mapped",[945,953]],[[8125,8125],"disallowed_STD3_mapped",[32,787]],[[8126,8126],"mapped",[953]],[[8127,8127],"disallowed_STD3_mapped",[32,787]],[[8128,8128],"disallowed_STD3_mapped",[32,834]],[[8129,8129],"disallowed_STD3_mapped",[32,776,834]],[[8130,8130],"mapped",[8052,953]],[[8131,8131],"mapped",[951,953]],[[8132,8132],"mapped",[942,953]],[[8133,8133],"disallowed"],[[8134,8134],"valid"],[[8135,8135],"mapped",[8134,953]],[[8136,8136],"mapped",[8050]],[[8137,8137],"mapped",[941]],[[8138,8138],"mapped",[8052]],[[8139,8139],"mapped",[942]],[[8140,8140],"mapped",[951,953]],[[8141,8141],"disallowed_STD3_mapped",[32,787,768]],[[8142,8142],"disallowed_STD3_mapped",[32,787,769]],[[8143,8143],"disallowed_STD3_mapped",[32,787,834]],[[8144,8146],"valid"],[[8147,8147],"mapped",[912]],[[8148,8149],"disallowed"],[[8150,8151],"valid"],[[8152,8152],"mapped",[8144]],[[8153,8153],"mapped",[8145]],[[8154,8154],"mapped",[8054]],[[8155,8155],"mapped",[943]],[[8156,8156],"disallowed"],[[8157,8157],"disallowed_STD3_mapped",[32,788,768]],[[8158,8158],"disallowed_STD3_mapped",[32,788,769]],[[8159,8159],"disallowed_STD3_mapped",[32,788,834]],[[8160,8162],"valid"],[[8163,8163],"mapped",[944]],[[8164,8167],"valid"],[[8168,8168],"mapped",[8160]],[[8169,8169],"mapped",[8161]],[[8170,8170],"mapped",[8058]],[[8171,8171],"mapped",[973]],[[8172,8172],"mapped",[8165]],[[8173,8173],"disallowed_STD3_mapped",[32,776,768]],[[8174,8174],"disallowed_STD3_mapped",[32,776,769]],[[8175,8175],"disallowed_STD3_mapped",[96]],[[8176,8177],"disallowed"],[[8178,8178],"mapped",[8060,953]],[[8179,8179],"mapped",[969,953]],[[8180,8180],"mapped",[974,953]],[[8181,8181],"disallowed"],[[8182,8182],"valid"],[[8183,8183],"mapped",[8182,953]],[[8184,8184],"mapped",[8056]],[[8185,8185],"mapped",[972]],[[8186,8186],"mapped",[8060]],[[8187,8187],"mapped",[974]],[[8188,8188],"mapped",[969,953]],[[8189,8189],"disallowed_STD3_mapped",[32,769]],[[8190,8190],"disallowed_STD3_mapped",[32,788]],[[8191,8191],"disallowed"],[[8192,8202],"disallowed_STD3_mapped",[32]],[[8203,8203],"ignored"],[[8204,8205],"deviation",[]],[[8206,8207],"disallowed"],[[8208,8208],"valid",[],"NV8"],[[8209,8209],"mapped",[8208]],[[8210,8214],"valid",[],"NV8"],[[8215,8215],"disallowed_STD3_mapped",[32,819]],[[8216,8227],"valid",[],"NV8"],[[8228,8230],"disallowed"],[[8231,8231],"valid",[],"NV8"],[[8232,8238],"disallowed"],[[8239,8239],"disallowed_STD3_mapped",[32]],[[8240,8242],"valid",[],"NV8"],[[8243,8243],"mapped",[8242,8242]],[[8244,8244],"mapped",[8242,8242,8242]],[[8245,8245],"valid",[],"NV8"],[[8246,8246],"mapped",[8245,8245]],[[8247,8247],"mapped",[8245,8245,8245]],[[8248,8251],"valid",[],"NV8"],[[8252,8252],"disallowed_STD3_mapped",[33,33]],[[8253,8253],"valid",[],"NV8"],[[8254,8254],"disallowed_STD3_mapped",[32,773]],[[8255,8262],"valid",[],"NV8"],[[8263,8263],"disallowed_STD3_mapped",[63,63]],[[8264,8264],"disallowed_STD3_mapped",[63,33]],[[8265,8265],"disallowed_STD3_mapped",[33,63]],[[8266,8269],"valid",[],"NV8"],[[8270,8274],"valid",[],"NV8"],[[8275,8276],"valid",[],"NV8"],[[8277,8278],"valid",[],"NV8"],[[8279,8279],"mapped",[8242,8242,8242,8242]],[[8280,8286],"valid",[],"NV8"],[[8287,8287],"disallowed_STD3_mapped",[32]],[[8288,8288],"ignored"],[[8289,8291],"disallowed"],[[8292,8292],"ignored"],[[8293,8293],"disallowed"],[[8294,8297],"disallowed"],[[8298,8303],"disallowed"],[[8304,8304],"mapped",[48]],[[8305,8305],"mapped",[105]],[[8306,8307],"disallowed"],[[8308,8308],"mapped",[52]],[[8309,8309],"mapped",[53]],[[8310,8310],"mapped",[54]],[[8311,8311],"mapped",[55]],[[8312,8312],"mapped",[56]],[[8313,8313],"mapped",[57]],[[8314,8314],"disallowed_STD3_mapped",[43]],[[8315,8315],"mapped",[8722]],[[8316,8316],"disallowed_STD3_mapped",[61]],[[8317,8317],"disallowed_STD3_mapped",[40]],[[8318,8318],"disallowed_STD3_mapped",[41]],[[8319,8319],"mapped",[110]],[[8320,8320],"mapped",[48]],[[8321,8321],"mapped",[49]],[[8322,8322],"mapped",[50]],[[8323,8323],"mapped",[51]],[[8324,8324],"mapped",[52]],[[8325,8325],"mapped",[53]],[[8326,8326],"mapped",[54]],[[8327,8327],"mapped",[55]],[[8328,8328],"mapped",[56]],[[8329,8329],"mapped",[57]],[[8330,8330],"disallowed_STD3_mapped",[43]],[[8331,8331],"mapped",[8722]],[[8332,8332],"disallowed_STD3_mapped",[61]],[[8333,8333],"disallowed_STD3_mapped",[40]],[[8334,8334],"disallowed_STD3_mapped",[41]],[[8335,8335],"disallowed"],[[8336,8336],"mapped",[97]],[[8337,8337],"mapped",[101]],[[8338,8338],"mapped",[111]],[[8339,8339],"mapped",[120]],[[8340,8340],"mapped",[601]],[[8341,8341],"mapped",[104]],[[8342,8342],"mapped",[107]],[[8343,8343],"mapped",[108]],[[8344,8344],"mapped",[109]],[[8345,8345],"mapped",[110]],[[8346,8346],"mapped",[112]],[[8347,8347],"mapped",[115]],[[8348,8348],"mapped",[116]],[[8349,8351],"disallowed"],[[8352,8359],"valid",[],"NV8"],[[8360,8360],"mapped",[114,115]],[[8361,8362],"valid",[],"NV8"],[[8363,8363],"valid",[],"NV8"],[[8364,8364],"valid",[],"NV8"],[[8365,8367],"valid",[],"NV8"],[[8368,8369],"valid",[],"NV8"],[[8370,8373],"valid",[],"NV8"],[[8374,8376],"valid",[],"NV8"],[[8377,8377],"valid",[],"NV8"],[[8378,8378],"valid",[],"NV8"],[[8379,8381],"valid",[],"NV8"],[[8382,8382],"valid",[],"NV8"],[[8383,8399],"disallowed"],[[8400,8417],"valid",[],"NV8"],[[8418,8419],"valid",[],"NV8"],[[8420,8426],"valid",[],"NV8"],[[8427,8427],"valid",[],"NV8"],[[8428,8431],"valid",[],"NV8"],[[8432,8432],"valid",[],"NV8"],[[8433,8447],"disallowed"],[[8448,8448],"disallowed_STD3_mapped",[97,47,99]],[[8449,8449],"disallowed_STD3_mapped",[97,47,115]],[[8450,8450],"mapped",[99]],[[8451,8451],"mapped",[176,99]],[[8452,8452],"valid",[],"NV8"],[[8453,8453],"disallowed_STD3_mapped",[99,47,111]],[[8454,8454],"disallowed_STD3_mapped",[99,47,117]],[[8455,8455],"mapped",[603]],[[8456,8456],"valid",[],"NV8"],[[8457,8457],"mapped",[176,102]],[[8458,8458],"mapped",[103]],[[8459,8462],"mapped",[104]],[[8463,8463],"mapped",[295]],[[8464,8465],"mapped",[105]],[[8466,8467],"mapped",[108]],[[8468,8468],"valid",[],"NV8"],[[8469,8469],"mapped",[110]],[[8470,8470],"mapped",[110,111]],[[8471,8472],"valid",[],"NV8"],[[8473,8473],"mapped",[112]],[[8474,8474],"mapped",[113]],[[8475,8477],"mapped",[114]],[[8478,8479],"valid",[],"NV8"],[[8480,8480],"mapped",[115,109]],[[8481,8481],"mapped",[116,101,108]],[[8482,8482],"mapped",[116,109]],[[8483,8483],"valid",[],"NV8"],[[8484,8484],"mapped",[122]],[[8485,8485],"valid",[],"NV8"],[[8486,8486],"mapped",[969]],[[8487,8487],"valid",[],"NV8"],[[8488,8488],"mapped",[122]],[[8489,8489],"valid",[],"NV8"],[[8490,8490],"mapped",[107]],[[8491,8491],"mapped",[229]],[[8492,8492],"mapped",[98]],[[8493,8493],"mapped",[99]],[[8494,8494],"valid",[],"NV8"],[[8495,8496],"mapped",[101]],[[8497,8497],"mapped",[102]],[[8498,8498],"disallowed"],[[8499,8499],"mapped",[109]],[[8500,8500],"mapped",[111]],[[8501,8501],"mapped",[1488]],[[8502,8502],"mapped",[1489]],[[8503,8503],"mapped",[1490]],[[8504,8504],"mapped",[1491]],[[8505,8505],"mapped",[105]],[[8506,8506],"valid",[],"NV8"],[[8507,8507],"mapped",[102,97,120]],[[8508,8508],"mapped",[960]],[[8509,8510],"mapped",[947]],[[8511,8511],"mapped",[960]],[[8512,8512],"mapped",[8721]],[[8513,8516],"valid",[],"NV8"],[[8517,8518],"mapped",[100]],[[8519,8519],"mapped",[101]],[[8520,8520],"mapped",[105]],[[8521,8521],"mapped",[106]],[[8522,8523],"valid",[],"NV8"],[[8524,8524],"valid",[],"NV8"],[[8525,8525],"valid",[],"NV8"],[[8526,8526],"valid"],[[8527,8527],"valid",[],"NV8"],[[8528,8528],"mapped",[49,8260,55]],[[8529,8529],"mapped",[49,8260,57]],[[8530,8530],"mapped",[49,8260,49,48]],[[8531,8531],"mapped",[49,8260,51]],[[8532,8532],"mapped",[50,8260,51]],[[8533,8533],"mapped",[49,8260,53]],[[8534,8534],"mapped",[50,8260,53]],[[8535,8535],"mapped",[51,8260,53]],[[8536,8536],"mapped",[52,8260,53]],[[8537,8537],"mapped",[49,8260,54]],[[8538,8538],"mapped",[53,8260,54]],[[8539,8539],"mapped",[49,8260,56]],[[8540,8540],"mapped",[51,8260,56]],[[8541,8541],"mapped",[53,8260,56]],[[8542,8542],"mapped",[55,8260,56]],[[8543,8543],"mapped",[49,8260]],[[8544,8544],"mapped",[105]],[[8545,8545],"mapped",[105,105]],[[8546,8546],"mapped",[105,105,105]],[[8547,8547],"mapped",[105,118]],[[8548,8548],"mapped",[118]],[[8549,8549],"mapped",[118,105]],[[8550,8550],"mapped",[118,105,105]],[[8551,8551],"mapped",[118,105,105,105]],[[8552,8552],"mapped",[105,120]],[[8553,8553],"mapped",[120]],[[8554,8554],"mapped",[120,105]],[[8555,8555],"mapped",[120,105,105]],[[8556,8556],"mapped",[108]],[[8557,8557],"mapped",[99]],[[8558,8558],"mapped",[100]],[[8559,8559],"mapped",[109]],[[8560,8560],"mapped",[105]],[[8561,8561],"mapped",[105,105]],[[8562,8562],"mapped",[105,105,105]],[[8563,8563],"mapped",[105,118]],[[8564,8564],"mapped",[118]],[[8565,8565],"mapped",[118,105]],[[8566,8566],"mapped",[118,105,105]],[[8567,8567],"mapped",[118,105,105,105]],[[8568,8568],"mapped",[105,120]],[[8569,8569],"mapped",[120]],[[8570,8570],"mapped",[120,105]],[[8571,8571],"mapped",[120,105,105]],[[8572,8572],"mapped",[108]],[[8573,8573],"mapped",[99]],[[8574,8574],"mapped",[100]],[[8575,8575],"mapped",[109]],[[8576,8578],"valid",[],"NV8"],[[8579,8579],"disallowed"],[[8580,8580],"valid"],[[8581,8584],"valid",[],"NV8"],[[8585,8585],"mapped",[48,8260,51]],[[8586,8587],"valid",[],"NV8"],[[8588,8591],"disallowed"],[[8592,8682],"valid",[],"NV8"],[[8683,8691],"valid",[],"NV8"],[[8692,8703],"valid",[],"NV8"],[[8704,8747],"valid",[],"NV8"],[[8748,8748],"mapped",[8747,8747]],[[8749,8749],"mapped",[8747,8747,8747]],[[8750,8750],"valid",[],"NV8"],[[8751,8751],"mapped",[8750,8750]],[[8752,8752],"mapped",[8750,8750,8750]],[[8753,8799],"valid",[],"NV8"],[[8800,8800],"disallowed_STD3_valid"],[[8801,8813],"valid",[],"NV8"],[[8814,8815],"disallowed_STD3_valid"],[[8816,8945],"valid",[],"NV8"],[[8946,8959],"valid",[],"NV8"],[[8960,8960],"valid",[],"NV8"],[[8961,8961],"valid",[],"NV8"],[[8962,9000],"valid",[],"NV8"],[[9001,9001],"mapped",[12296]],[[9002,9002],"mapped",[12297]],[[9003,9082],"valid",[],"NV8"],[[9083,9083],"valid",[],"NV8"],[[9084,9084],"valid",[],"NV8"],[[9085,9114],"valid",[],"NV8"],[[9115,9166],"valid",[],"NV8"],[[9167,9168],"valid",[],"NV8"],[[9169,9179],"valid",[],"NV8"],[[9180,9191],"valid",[],"NV8"],[[9192,9192],"valid",[],"NV8"],[[9193,9203],"valid",[],"NV8"],[[9204,9210],"valid",[],"NV8"],[[9211,9215],"disallowed"],[[9216,9252],"valid",[],"NV8"],[[9253,9254],"valid",[],"NV8"],[[9255,9279],"disallowed"],[[9280,9290],"valid",[],"NV8"],[[9291,9311],"disallowed"],[[9312,9312],"mapped",[49]],[[9313,9313],"mapped",[50]],[[9314,9314],"mapped",[51]],[[9315,9315],"mapped",[52]],[[9316,9316],"mapped",[53]],[[9317,9317],"mapped",[54]],[[9318,9318],"mapped",[55]],[[9319,9319],"mapped",[56]],[[9320,9320],"mapped",[57]],[[9321,9321],"mapped",[49,48]],[[9322,9322],"mapped",[49,49]],[[9323,9323],"mapped",[49,50]],[[9324,9324],"mapped",[49,51]],[[9325,9325],"mapped",[49,52]],[[9326,9326],"mapped",[49,53]],[[9327,9327],"mapped",[49,54]],[[9328,9328],"mapped",[49,55]],[[9329,9329],"mapped",[49,56]],[[9330,9330],"mapped",[49,57]],[[9331,9331],"mapped",[50,48]],[[9332,9332],"disallowed_STD3_mapped",[40,49,41]],[[9333,9333],"disallowed_STD3_mapped",[40,50,41]],[[9334,9334],"disallowed_STD3_mapped",[40,51,41]],[[9335,9335],"disallowed_STD3_mapped",[40,52,41]],[[9336,9336],"disallowed_STD3_mapped",[40,53,41]],[[9337,9337],"disallowed_STD3_mapped",[40,54,41]],[[9338,9338],"disallowed_STD3_mapped",[40,55,41]],[[9339,9339],"disallowed_STD3_mapped",[40,56,41]],[[9340,9340],"disallowed_STD3_mapped",[40,57,41]],[[9341,9341],"disallowed_STD3_mapped",[40,49,48,41]],[[9342,9342],"disallowed_STD3_mapped",[40,49,49,41]],[[9343,9343],"disallowed_STD3_mapped",[40,49,50,41]],[[9344,9344],"disallowed_STD3_mapped",[40,49,51,41]],[[9345,9345],"disallowed_STD3_mapped",[40,49,52,41]],[[9346,9346],"disallowed_STD3_mapped",[40,49,53,41]],[[9347,9347],"disallowed_STD3_mapped",[40,49,54,41]],[[9348,9348],"disallowed_STD3_mapped",[40,49,55,41]],[[9349,9349],"disallowed_STD3_mapped",[40,49,56,41]],[[9350,9350],"disallowed_STD3_mapped",[40,49,57,41]],[[9351,9351],"disallowed_STD3_mapped",[40,50,48,41]],[[9352,9371],"disallowed"],[[9372,9372],"disallowed_STD3_mapped",[40,97,41]],[[9373,9373],"disallowed_STD3_mapped",[40,98,41]],[[9374,9374],"disallowed_STD3_mapped",[40,99,41]],[[9375,9375],"disallowed_STD3_mapped",[40,100,41]],[[9376,9376],"disallowed_STD3_mapped",[40,101,41]],[[9377,9377],"disallowed_STD3_mapped",[40,102,41]],[[9378,9378],"disallowed_STD3_mapped",[40,103,41]],[[9379,9379],"disallowed_STD3_mapped",[40,104,41]],[[9380,9380],"disallowed_STD3_mapped",[40,105,41]],[[9381,9381],"disallowed_STD3_mapped",[40,106,41]],[[9382,9382],"disallowed_STD3_mapped",[40,107,41]],[[9383,9383],"disallowed_STD3_mapped",[40,108,41]],[[9384,9384],"disallowed_STD3_mapped",[40,109,41]],[[9385,9385],"disallowed_STD3_mapped",[40,110,41]],[[9386,9386],"disallowed_STD3_mapped",[40,111,41]],[[9387,9387],"disallowed_STD3_mapped",[40,112,41]],[[9388,9388],"disallowed_STD3_mapped",[40,113,41]],[[9389,9389],"disallowed_STD3_mapped",[40,114,41]],[[9390,9390],"disallowed_STD3_mapped",[40,115,41]],[[9391,9391],"disallowed_STD3_mapped",[40,116,41]],[[9392,9392],"disallowed_STD3_mapped",[40,117,41]],[[9393,9393],"disallowed_STD3_mapped",[40,118,41]],[[9394,9394],"disallowed_STD3_mapped",[40,119,41]],[[9395,9395],"disallowed_STD3_mapped",[40,120,41]],[[9396,9396],"disallowed_STD3_mapped",[40,121,41]],[[9397,9397],"disallowed_STD3_mapped",[40,122,41]],[[9398,9398],"mapped",[97]],[[9399,9399],"mapped",[98]],[[9400,9400],"mapped",[99]],[[9401,9401],"mapped",[100]],[[9402,9402],"mapped",[101]],[[9403,9403],"mapped",[102]],[[9404,9404],"mapped",[103]],[[9405,9405],"mapped",[104]],[[9406,9406],"mapped",[105]],[[9407,9407],"mapped",[106]],[[9408,9408],"mapped",[107]],[[9409,9409],"mapped",[108]],[[9410,9410],"mapped",[109]],[[9411,9411],"mapped",[110]],[[9412,9412],"mapped",[111]],[[9413,9413],"mapped",[112]],[[9414,9414],"mapped",[113]],[[9415,9415],"mapped",[114]],[[9416,9416],"mapped",[115]],[[9417,9417],"mapped",[116]],[[9418,9418],"mapped",[117]],[[9419,9419],"mapped",[118]],[[9420,9420],"mapped",[119]],[[9421,9421],"mapped",[120]],[[9422,9422],"mapped",[121]],[[9423,9423],"mapped",[122]],[[9424,9424],"mapped",[97]],[[9425,9425],"mapped",[98]],[[9426,9426],"mapped",[99]],[[9427,9427],"mapped",[100]],[[9428,9428],"mapped",[101]],[[9429,9429],"mapped",[102]],[[9430,9430],"mapped",[103]],[[9431,9431],"mapped",[104]],[[9432,9432],"mapped",[105]],[[9433,9433],"mapped",[106]],[[9434,9434],"mapped",[107]],[[9435,9435],"mapped",[108]],[[9436,9436],"mapped",[109]],[[9437,9437],"mapped",[110]],[[9438,9438],"mapped",[111]],[[9439,9439],"mapped",[112]],[[9440,9440],"mapped",[113]],[[9441,9441],"mapped",[114]],[[9442,9442],"mapped",[115]],[[9443,9443],"mapped",[116]],[[9444,9444],"mapped",[117]],[[9445,9445],"mapped",[118]],[[9446,9446],"mapped",[119]],[[9447,9447],"mapped",[120]],[[9448,9448],"mapped",[121]],[[9449,9449],"mapped",[122]],[[9450,9450],"mapped",[48]],[[9451,9470],"valid",[],"NV8"],[[9471,9471],"valid",[],"NV8"],[[9472,9621],"valid",[],"NV8"],[[9622,9631],"valid",[],"NV8"],[[9632,9711],"valid",[],"NV8"],[[9712,9719],"valid",[],"NV8"],[[9720,9727],"valid",[],"NV8"],[[9728,9747],"valid",[],"NV8"],[[9748,9749],"valid",[],"NV8"],[[9750,9751],"valid",[],"NV8"],[[9752,9752],"valid",[],"NV8"],[[9753,9753],"valid",[],"NV8"],[[9754,9839],"valid",[],"NV8"],[[9840,9841],"valid",[],"NV8"],[[9842,9853],"valid",[],"NV8"],[[9854,9855],"valid",[],"NV8"],[[9856,9865],"valid",[],"NV8"],[[9866,9873],"valid",[],"NV8"],[[9874,9884],"valid",[],"NV8"],[[9885,9885],"valid",[],"NV8"],[[9886,9887],"valid",[],"NV8"],[[9888,9889],"valid",[],"NV8"],[[9890,9905],"valid",[],"NV8"],[[9906,9906],"valid",[],"NV8"],[[9907,9916],"valid",[],"NV8"],[[9917,9919],"valid",[],"NV8"],[[9920,9923],"valid",[],"NV8"],[[9924,9933],"valid",[],"NV8"],[[9934,9934],"valid",[],"NV8"],[[9935,9953],"valid",[],"NV8"],[[9954,9954],"valid",[],"NV8"],[[9955,9955],"valid",[],"NV8"],[[9956,9959],"valid",[],"NV8"],[[9960,9983],"valid",[],"NV8"],[[9984,9984],"valid",[],"NV8"],[[9985,9988],"valid",[],"NV8"],[[9989,9989],"valid",[],"NV8"],[[9990,9993],"valid",[],"NV8"],[[9994,9995],"valid",[],"NV8"],[[9996,10023],"valid",[],"NV8"],[[10024,10024],"valid",[],"NV8"],[[10025,10059],"valid",[],"NV8"],[[10060,10060],"valid",[],"NV8"],[[10061,10061],"valid",[],"NV8"],[[10062,10062],"valid",[],"NV8"],[[10063,10066],"valid",[],"NV8"],[[10067,10069],"valid",[],"NV8"],[[10070,10070],"valid",[],"NV8"],[[10071,10071],"valid",[],"NV8"],[[10072,10078],"valid",[],"NV8"],[[10079,10080],"valid",[],"NV8"],[[10081,10087],"valid",[],"NV8"],[[10088,10101],"valid",[],"NV8"],[[10102,10132],"valid",[],"NV8"],[[10133,10135],"valid",[],"NV8"],[[10136,10159],"valid",[],"NV8"],[[10160,10160],"valid",[],"NV8"],[[10161,10174],"valid",[],"NV8"],[[10175,10175],"valid",[],"NV8"],[[10176,10182],"valid",[],"NV8"],[[10183,10186],"valid",[],"NV8"],[[10187,10187],"valid",[],"NV8"],[[10188,10188],"valid",[],"NV8"],[[10189,10189],"valid",[],"NV8"],[[10190,10191],"valid",[],"NV8"],[[10192,10219],"valid",[],"NV8"],[[10220,10223],"valid",[],"NV8"],[[10224,10239],"valid",[],"NV8"],[[10240,10495],"valid",[],"NV8"],[[10496,10763],"valid",[],"NV8"],[[10764,10764],"mapped",[8747,8747,8747,8747]],[[10765,10867],"valid",[],"NV8"],[[10868,10868],"disallowed_STD3_mapped",[58,58,61]],[[10869,10869],"disallowed_STD3_mapped",[61,61]],[[10870,10870],"disallowed_STD3_mapped",[61,61,61]],[[10871,10971],"valid",[],"NV8"],[[10972,10972],"mapped",[10973,824]],[[10973,11007],"valid",[],"NV8"],[[11008,11021],"valid",[],"NV8"],[[11022,11027],"valid",[],"NV8"],[[11028,11034],"valid",[],"NV8"],[[11035,11039],"valid",[],"NV8"],[[11040,11043],"valid",[],"NV8"],[[11044,11084],"valid",[],"NV8"],[[11085,11087],"valid",[],"NV8"],[[11088,11092],"valid",[],"NV8"],[[11093,11097],"valid",[],"NV8"],[[11098,11123],"valid",[],"NV8"],[[11124,11125],"disallowed"],[[11126,11157],"valid",[],"NV8"],[[11158,11159],"disallowed"],[[11160,11193],"valid",[],"NV8"],[[11194,11196],"disallowed"],[[11197,11208],"valid",[],"NV8"],[[11209,11209],"disallowed"],[[11210,11217],"valid",[],"NV8"],[[11218,11243],"disallowed"],[[11244,11247],"valid",[],"NV8"],[[11248,11263],"disallowed"],[[11264,11264],"mapped",[11312]],[[11265,11265],"mapped",[11313]],[[11266,11266],"mapped",[11314]],[[11267,11267],"mapped",[11315]],[[11268,11268],"mapped",[11316]],[[11269,11269],"mapped",[11317]],[[11270,11270],"mapped",[11318]],[[11271,11271],"mapped",[11319]],[[11272,11272],"mapped",[11320]],[[11273,11273],"mapped",[11321]],[[11274,11274],"mapped",[11322]],[[11275,11275],"mapped",[11323]],[[11276,11276],"mapped",[11324]],[[11277,11277],"mapped",[11325]],[[11278,11278],"mapped",[11326]],[[11279,11279],"mapped",[11327]],[[11280,11280],"mapped",[11328]],[[11281,11281],"mapped",[11329]],[[11282,11282],"mapped",[11330]],[[11283,11283],"mapped",[11331]],[[11284,11284],"mapped",[11332]],[[11285,11285],"mapped",[11333]],[[11286,11286],"mapped",[11334]],[[11287,11287],"mapped",[11335]],[[11288,11288],"mapped",[11336]],[[11289,11289],"mapped",[11337]],[[11290,11290],"mapped",[11338]],[[11291,11291],"mapped",[11339]],[[11292,11292],"mapped",[11340]],[[11293,11293],"mapped",[11341]],[[11294,11294],"mapped",[11342]],[[11295,11295],"mapped",[11343]],[[11296,11296],"mapped",[11344]],[[11297,11297],"mapped",[11345]],[[11298,11298],"mapped",[11346]],[[11299,11299],"mapped",[11347]],[[11300,11300],"mapped",[11348]],[[11301,11301],"mapped",[11349]],[[11302,11302],"mapped",[11350]],[[11303,11303],"mapped",[11351]],[[11304,11304],"mapped",[11352]],[[11305,11305],"mapped",[11353]],[[11306,11306],"mapped",[11354]],[[11307,11307],"mapped",[11355]],[[11308,11308],"mapped",[11356]],[[11309,11309],"mapped",[11357]],[[11310,11310],"mapped",[11358]],[[11311,11311],"disallowed"],[[11312,11358],"valid"],[[11359,11359],"disallowed"],[[11360,11360],"mapped",[11361]],[[11361,11361],"valid"],[[11362,11362],"mapped",[619]],[[11363,11363],"mapped",[7549]],[[11364,11364],"mapped",[637]],[[11365,11366],"valid"],[[11367,11367],"mapped",[11368]],[[11368,11368],"valid"],[[11369,11369],"mapped",[11370]],[[11370,11370],"valid"],[[11371,11371],"mapped",[11372]],[[11372,11372],"valid"],[[11373,11373],"mapped",[593]],[[11374,11374],"mapped",[625]],[[11375,11375],"mapped",[592]],[[11376,11376],"mapped",[594]],[[11377,11377],"valid"],[[11378,11378],"mapped",[11379]],[[11379,11379],"valid"],[[11380,11380],"valid"],[[11381,11381],"mapped",[11382]],[[11382,11383],"valid"],[[11384,11387],"valid"],[[11388,11388],"mapped",[106]],[[11389,11389],"mapped",[118]],[[11390,11390],"mapped",[575]],[[11391,11391],"mapped",[576]],[[11392,11392],"mapped",[11393]],[[11393,11393],"valid"],[[11394,11394],"mapped",[11395]],[[11395,11395],"valid"],[[11396,11396],"mapped",[11397]],[[11397,11397],"valid"],[[11398,11398],"mapped",[11399]],[[11399,11399],"valid"],[[11400,11400],"mapped",[11401]],[[11401,11401],"valid"],[[11402,11402],"mapped",[11403]],[[11403,11403],"valid"],[[11404,11404],"mapped",[11405]],[[11405,11405],"valid"],[[11406,11406],"mapped",[11407]],[[11407,11407],"valid"],[[11408,11408],"mapped",[11409]],[[11409,11409],"valid"],[[11410,11410],"mapped",[11411]],[[11411,11411],"valid"],[[11412,11412],"mapped",[11413]],[[11413,11413],"valid"],[[11414,11414],"mapped",[11415]],[[11415,11415],"valid"],[[11416,11416],"mapped",[11417]],[[11417,11417],"valid"],[[11418,11418],"mapped",[11419]],[[11419,11419],"valid"],[[11420,11420],"mapped",[11421]],[[11421,11421],"valid"],[[11422,11422],"mapped",[11423]],[[11423,11423],"valid"],[[11424,11424],"mapped",[11425]],[[11425,11425],"valid"],[[11426,11426],"mapped",[11427]],[[11427,11427],"valid"],[[11428,11428],"mapped",[11429]],[[11429,11429],"valid"],[[11430,11430],"mapped",[11431]],[[11431,11431],"valid"],[[11432,11432],"mapped",[11433]],[[11433,11433],"valid"],[[11434,11434],"mapped",[11435]],[[11435,11435],"valid"],[[11436,11436],"mapped",[11437]],[[11437,11437],"valid"],[[11438,11438],"mapped",[11439]],[[11439,11439],"valid"],[[11440,11440],"mapped",[11441]],[[11441,11441],"valid"],[[11442,11442],"mapped",[11443]],[[11443,11443],"valid"],[[11444,11444],"mapped",[11445]],[[11445,11445],"valid"],[[11446,11446],"mapped",[11447]],[[11447,11447],"valid"],[[11448,11448],"mapped",[11449]],[[11449,11449],"valid"],[[11450,11450],"mapped",[11451]],[[11451,11451],"valid"],[[11452,11452],"mapped",[11453]],[[11453,11453],"valid"],[[11454,11454],"mapped",[11455]],[[11455,11455],"valid"],[[11456,11456],"mapped",[11457]],[[11457,11457],"valid"],[[11458,11458],"mapped",[11459]],[[11459,11459],"valid"],[[11460,11460],"mapped",[11461]],[[11461,11461],"valid"],[[11462,11462],"mapped",[11463]],[[11463,11463],"valid"],[[11464,11464],"mapped",[11465]],[[11465,11465],"valid"],[[11466,11466],"mapped",[11467]],[[11467,11467],"valid"],[[11468,11468],"mapped",[11469]],[[11469,11469],"valid"],[[11470,11470],"mapped",[11471]],[[11471,11471],"valid"],[[11472,11472],"mapped",[11473]],[[11473,11473],"valid"],[[11474,11474],"mapped",[11475]],[[11475,11475],"valid"],[[11476,11476],"mapped",[11477]],[[11477,11477],"valid"],[[11478,11478],"mapped",[11479]],[[11479,11479],"valid"],[[11480,11480],"mapped",[11481]],[[11481,11481],"valid"],[[11482,11482],"mapped",[11483]],[[11483,11483],"valid"],[[11484,11484],"mapped",[11485]],[[11485,11485],"valid"],[[11486,11486],"mapped",[11487]],[[11487,11487],"valid"],[[11488,11488],"mapped",[11489]],[[11489,11489],"valid"],[[11490,11490],"mapped",[11491]],[[11491,11492],"valid"],[[11493,11498],"valid",[],"NV8"],[[11499,11499],"mapped",[11500]],[[11500,11500],"valid"],[[11501,11501],"mapped",[11502]],[[11502,11505],"valid"],[[11506,11506],"mapped",[11507]],[[11507,11507],"valid"],[[11508,11512],"disallowed"],[[11513,11519],"valid",[],"NV8"],[[11520,11557],"valid"],[[11558,11558],"disallowed"],[[11559,11559],"valid"],[[11560,11564],"disallowed"],[[11565,11565],"valid"],[[11566,11567],"disallowed"],[[11568,11621],"valid"],[[11622,11623],"valid"],[[11624,11630],"disallowed"],[[11631,11631],"mapped",[11617]],[[11632,11632],"valid",[],"NV8"],[[11633,11646],"disallowed"],[[11647,11647],"valid"],[[11648,11670],"valid"],[[11671,11679],"disallowed"],[[11680,11686],"valid"],[[11687,11687],"disallowed"],[[11688,11694],"valid"],[[11695,11695],"disallowed"],[[11696,11702],"valid"],[[11703,11703],"disallowed"],[[11704,11710],"valid"],[[11711,11711],"disallowed"],[[11712,11718],"valid"],[[11719,11719],"disallowed"],[[11720,11726],"valid"],[[11727,11727],"disallowed"],[[11728,11734],"valid"],[[11735,11735],"disallowed"],[[11736,11742],"valid"],[[11743,11743],"disallowed"],[[11744,11775],"valid"],[[11776,11799],"valid",[],"NV8"],[[11800,11803],"valid",[],"NV8"],[[11804,11805],"valid",[],"NV8"],[[11806,11822],"valid",[],"NV8"],[[11823,11823],"valid"],[[11824,11824],"valid",[],"NV8"],[[11825,11825],"valid",[],"NV8"],[[11826,11835],"valid",[],"NV8"],[[11836,11842],"valid",[],"NV8"],[[11843,11903],"disallowed"],[[11904,11929],"valid",[],"NV8"],[[11930,11930],"disallowed"],[[11931,11934],"valid",[],"NV8"],[[11935,11935],"mapped",[27597]],[[11936,12018],"valid",[],"NV8"],[[12019,12019],"mapped",[40863]],[[12020,12031],"disallowed"],[[12032,12032],"mapped",[19968]],[[12033,12033],"mapped",[20008]],[[12034,12034],"mapped",[20022]],[[12035,12035],"mapped",[20031]],[[12036,12036],"mapped",[20057]],[[12037,12037],"mapped",[20101]],[[12038,12038],"mapped",[20108]],[[12039,12039],"mapped",[20128]],[[12040,12040],"mapped",[20154]],[[12041,12041],"mapped",[20799]],[[12042,12042],"mapped",[20837]],[[12043,12043],"mapped",[20843]],[[12044,12044],"mapped",[20866]],[[12045,12045],"mapped",[20886]],[[12046,12046],"mapped",[20907]],[[12047,12047],"mapped",[20960]],[[12048,12048],"mapped",[20981]],[[12049,12049],"mapped",[20992]],[[12050,12050],"mapped",[21147]],[[12051,12051],"mapped",[21241]],[[12052,12052],"mapped",[21269]],[[12053,12053],"mapped",[21274]],[[12054,12054],"mapped",[21304]],[[12055,12055],"mapped",[21313]],[[12056,12056],"mapped",[21340]],[[12057,12057],"mapped",[21353]],[[12058,12058],"mapped",[21378]],[[12059,12059],"mapped",[21430]],[[12060,12060],"mapped",[21448]],[[12061,12061],"mapped",[21475]],[[12062,12062],"mapped",[22231]],[[12063,12063],"mapped",[22303]],[[12064,12064],"mapped",[22763]],[[12065,12065],"mapped",[22786]],[[12066,12066],"mapped",[22794]],[[12067,12067],"mapped",[22805]],[[12068,12068],"mapped",[22823]],[[12069,12069],"mapped",[22899]],[[12070,12070],"mapped",[23376]],[[12071,12071],"mapped",[23424]],[[12072,12072],"mapped",[23544]],[[12073,12073],"mapped",[23567]],[[12074,12074],"mapped",[23586]],[[12075,12075],"mapped",[23608]],[[12076,12076],"mapped",[23662]],[[12077,12077],"mapped",[23665]],[[12078,12078],"mapped",[24027]],[[12079,12079],"mapped",[24037]],[[12080,12080],"mapped",[24049]],[[12081,12081],"mapped",[24062]],[[12082,12082],"mapped",[24178]],[[12083,12083],"mapped",[24186]],[[12084,12084],"mapped",[24191]],[[12085,12085],"mapped",[24308]],[[12086,12086],"mapped",[24318]],[[12087,12087],"mapped",[24331]],[[12088,12088],"mapped",[24339]],[[12089,12089],"mapped",[24400]],[[12090,12090],"mapped",[24417]],[[12091,12091],"mapped",[24435]],[[12092,12092],"mapped",[24515]],[[12093,12093],"mapped",[25096]],[[12094,12094],"mapped",[25142]],[[12095,12095],"mapped",[25163]],[[12096,12096],"mapped",[25903]],[[12097,12097],"mapped",[25908]],[[12098,12098],"mapped",[25991]],[[12099,12099],"mapped",[26007]],[[12100,12100],"mapped",[26020]],[[12101,12101],"mapped",[26041]],[[12102,12102],"mapped",[26080]],[[12103,12103],"mapped",[26085]],[[12104,12104],"mapped",[26352]],[[12105,12105],"mapped",[26376]],[[12106,12106],"mapped",[26408]],[[12107,12107],"mapped",[27424]],[[12108,12108],"mapped",[27490]],[[12109,12109],"mapped",[27513]],[[12110,12110],"mapped",[27571]],[[12111,12111],"mapped",[27595]],[[12112,12112],"mapped",[27604]],[[12113,12113],"mapped",[27611]],[[12114,12114],"mapped",[27663]],[[12115,12115],"mapped",[27668]],[[12116,12116],"mapped",[27700]],[[12117,12117],"mapped",[28779]],[[12118,12118],"mapped",[29226]],[[12119,12119],"mapped",[29238]],[[12120,12120],"mapped",[29243]],[[12121,12121],"mapped",[29247]],[[12122,12122],"mapped",[29255]],[[12123,12123],"mapped",[29273]],[[12124,12124],"mapped",[29275]],[[12125,12125],"mapped",[29356]],[[12126,12126],"mapped",[29572]],[[12127,12127],"mapped",[29577]],[[12128,12128],"mapped",[29916]],[[12129,12129],"mapped",[29926]],[[12130,12130],"mapped",[29976]],[[12131,12131],"mapped",[29983]],[[12132,12132],"mapped",[29992]],[[12133,12133],"mapped",[30000]],[[12134,12134],"mapped",[30091]],[[12135,12135],"mapped",[30098]],[[12136,12136],"mapped",[30326]],[[12137,12137],"mapped",[30333]],[[12138,12138],"mapped",[30382]],[[12139,12139],"mapped",[30399]],[[12140,12140],"mapped",[30446]],[[12141,12141],"mapped",[30683]],[[12142,12142],"mapped",[30690]],[[12143,12143],"mapped",[30707]],[[12144,12144],"mapped",[31034]],[[12145,12145],"mapped",[31160]],[[12146,12146],"mapped",[31166]],[[12147,12147],"mapped",[31348]],[[12148,12148],"mapped",[31435]],[[12149,12149],"mapped",[31481]],[[12150,12150],"mapped",[31859]],[[12151,12151],"mapped",[31992]],[[12152,12152],"mapped",[32566]],[[12153,12153],"mapped",[32593]],[[12154,12154],"mapped",[32650]],[[12155,12155],"mapped",[32701]],[[12156,12156],"mapped",[32769]],[[12157,12157],"mapped",[32780]],[[12158,12158],"mapped",[32786]],[[12159,12159],"mapped",[32819]],[[12160,12160],"mapped",[32895]],[[12161,12161],"mapped",[32905]],[[12162,12162],"mapped",[33251]],[[12163,12163],"mapped",[33258]],[[12164,12164],"mapped",[33267]],[[12165,12165],"mapped",[33276]],[[12166,12166],"mapped",[33292]],[[12167,12167],"mapped",[33307]],[[12168,12168],"mapped",[33311]],[[12169,12169],"mapped",[33390]],[[12170,12170],"mapped",[33394]],[[12171,12171],"mapped",[33400]],[[12172,12172],"mapped",[34381]],[[12173,12173],"mapped",[34411]],[[12174,12174],"mapped",[34880]],[[12175,12175],"mapped",[34892]],[[12176,12176],"mapped",[34915]],[[12177,12177],"mapped",[35198]],[[12178,12178],"mapped",[35211]],[[12179,12179],"mapped",[35282]],[[12180,12180],"mapped",[35328]],[[12181,12181],"mapped",[35895]],[[12182,12182],"mapped",[35910]],[[12183,12183],"mapped",[35925]],[[12184,12184],"mapped",[35960]],[[12185,12185],"mapped",[35997]],[[12186,12186],"mapped",[36196]],[[12187,12187],"mapped",[36208]],[[12188,12188],"mapped",[36275]],[[12189,12189],"mapped",[36523]],[[12190,12190],"mapped",[36554]],[[12191,12191],"mapped",[36763]],[[12192,12192],"mapped",[36784]],[[12193,12193],"mapped",[36789]],[[12194,12194],"mapped",[37009]],[[12195,12195],"mapped",[37193]],[[12196,12196],"mapped",[37318]],[[12197,12197],"mapped",[37324]],[[12198,12198],"mapped",[37329]],[[12199,12199],"mapped",[38263]],[[12200,12200],"mapped",[38272]],[[12201,12201],"mapped",[38428]],[[12202,12202],"mapped",[38582]],[[12203,12203],"mapped",[38585]],[[12204,12204],"mapped",[38632]],[[12205,12205],"mapped",[38737]],[[12206,12206],"mapped",[38750]],[[12207,12207],"mapped",[38754]],[[12208,12208],"mapped",[38761]],[[12209,12209],"mapped",[38859]],[[12210,12210],"mapped",[38893]],[[12211,12211],"mapped",[38899]],[[12212,12212],"mapped",[38913]],[[12213,12213],"mapped",[39080]],[[12214,12214],"mapped",[39131]],[[12215,12215],"mapped",[39135]],[[12216,12216],"mapped",[39318]],[[12217,12217],"mapped",[39321]],[[12218,12218],"mapped",[39340]],[[12219,12219],"mapped",[39592]],[[12220,12220],"mapped",[39640]],[[12221,12221],"mapped",[39647]],[[12222,12222],"mapped",[39717]],[[12223,12223],"mapped",[39727]],[[12224,12224],"mapped",[39730]],[[12225,12225],"mapped",[39740]],[[12226,12226],"mapped",[39770]],[[12227,12227],"mapped",[40165]],[[12228,12228],"mapped",[40565]],[[12229,12229],"mapped",[40575]],[[12230,12230],"mapped",[40613]],[[12231,12231],"mapped",[40635]],[[12232,12232],"mapped",[40643]],[[12233,12233],"mapped",[40653]],[[12234,12234],"mapped",[40657]],[[12235,12235],"mapped",[40697]],[[12236,12236],"mapped",[40701]],[[12237,12237],"mapped",[40718]],[[12238,12238],"mapped",[40723]],[[12239,12239],"mapped",[40736]],[[12240,12240],"mapped",[40763]],[[12241,12241],"mapped",[40778]],[[12242,12242],"mapped",[40786]],[[12243,12243],"mapped",[40845]],[[12244,12244],"mapped",[40860]],[[12245,12245],"mapped",[40864]],[[12246,12271],"disallowed"],[[12272,12283],"disallowed"],[[12284,12287],"disallowed"],[[12288,12288],"disallowed_STD3_mapped",[32]],[[12289,12289],"valid",[],"NV8"],[[12290,12290],"mapped",[46]],[[12291,12292],"valid",[],"NV8"],[[12293,12295],"valid"],[[12296,12329],"valid",[],"NV8"],[[12330,12333],"valid"],[[12334,12341],"valid",[],"NV8"],[[12342,12342],"mapped",[12306]],[[12343,12343],"valid",[],"NV8"],[[12344,12344],"mapped",[21313]],[[12345,12345],"mapped",[21316]],[[12346,12346],"mapped",[21317]],[[12347,12347],"valid",[],"NV8"],[[12348,12348],"valid"],[[12349,12349],"valid",[],"NV8"],[[12350,12350],"valid",[],"NV8"],[[12351,12351],"valid",[],"NV8"],[[12352,12352],"disallowed"],[[12353,12436],"valid"],[[12437,12438],"valid"],[[12439,12440],"disallowed"],[[12441,12442],"valid"],[[12443,12443],"disallowed_STD3_mapped",[32,12441]],[[12444,12444],"disallowed_STD3_mapped",[32,12442]],[[12445,12446],"valid"],[[12447,12447],"mapped",[12424,12426]],[[12448,12448],"valid",[],"NV8"],[[12449,12542],"valid"],[[12543,12543],"mapped",[12467,12488]],[[12544,12548],"disallowed"],[[12549,12588],"valid"],[[12589,12589],"valid"],[[12590,12592],"disallowed"],[[12593,12593],"mapped",[4352]],[[12594,12594],"mapped",[4353]],[[12595,12595],"mapped",[4522]],[[12596,12596],"mapped",[4354]],[[12597,12597],"mapped",[4524]],[[12598,12598],"mapped",[4525]],[[12599,12599],"mapped",[4355]],[[12600,12600],"mapped",[4356]],[[12601,12601],"mapped",[4357]],[[12602,12602],"mapped",[4528]],[[12603,12603],"mapped",[4529]],[[12604,12604],"mapped",[4530]],[[12605,12605],"mapped",[4531]],[[12606,12606],"mapped",[4532]],[[12607,12607],"mapped",[4533]],[[12608,12608],"mapped",[4378]],[[12609,12609],"mapped",[4358]],[[12610,12610],"mapped",[4359]],[[12611,12611],"mapped",[4360]],[[12612,12612],"mapped",[4385]],[[12613,12613],"mapped",[4361]],[[12614,12614],"mapped",[4362]],[[12615,12615],"mapped",[4363]],[[12616,12616],"mapped",[4364]],[[12617,12617],"mapped",[4365]],[[12618,12618],"mapped",[4366]],[[12619,12619],"mapped",[4367]],[[12620,12620],"mapped",[4368]],[[12621,12621],"mapped",[4369]],[[12622,12622],"mapped",[4370]],[[12623,12623],"mapped",[4449]],[[12624,12624],"mapped",[4450]],[[12625,12625],"mapped",[4451]],[[12626,12626],"mapped",[4452]],[[12627,12627],"mapped",[4453]],[[12628,12628],"mapped",[4454]],[[12629,12629],"mapped",[4455]],[[12630,12630],"mapped",[4456]],[[12631,12631],"mapped",[4457]],[[12632,12632],"mapped",[4458]],[[12633,12633],"mapped",[4459]],[[12634,12634],"mapped",[4460]],[[12635,12635],"mapped",[4461]],[[12636,12636],"mapped",[4462]],[[12637,12637],"mapped",[4463]],[[12638,12638],"mapped",[4464]],[[12639,12639],"mapped",[4465]],[[12640,12640],"mapped",[4466]],[[12641,12641],"mapped",[4467]],[[12642,12642],"mapped",[4468]],[[12643,12643],"mapped",[4469]],[[12644,12644],"disallowed"],[[12645,12645],"mapped",[4372]],[[12646,12646],"mapped",[4373]],[[12647,12647],"mapped",[4551]],[[12648,12648],"mapped",[4552]],[[12649,12649],"mapped",[4556]],[[12650,12650],"mapped",[4558]],[[12651,12651],"mapped",[4563]],[[12652,12652],"mapped",[4567]],[[12653,12653],"mapped",[4569]],[[12654,12654],"mapped",[4380]],[[12655,12655],"mapped",[4573]],[[12656,12656],"mapped",[4575]],[[12657,12657],"mapped",[4381]],[[12658,12658],"mapped",[4382]],[[12659,12659],"mapped",[4384]],[[12660,12660],"mapped",[4386]],[[12661,12661],"mapped",[4387]],[[12662,12662],"mapped",[4391]],[[12663,12663],"mapped",[4393]],[[12664,12664],"mapped",[4395]],[[12665,12665],"mapped",[4396]],[[12666,12666],"mapped",[4397]],[[12667,12667],"mapped",[4398]],[[12668,12668],"mapped",[4399]],[[12669,12669],"mapped",[4402]],[[12670,12670],"mapped",[4406]],[[12671,12671],"mapped",[4416]],[[12672,12672],"mapped",[4423]],[[12673,12673],"mapped",[4428]],[[12674,12674],"mapped",[4593]],[[12675,12675],"mapped",[4594]],[[12676,12676],"mapped",[4439]],[[12677,12677],"mapped",[4440]],[[12678,12678],"mapped",[4441]],[[12679,12679],"mapped",[4484]],[[12680,12680],"mapped",[4485]],[[12681,12681],"mapped",[4488]],[[12682,12682],"mapped",[4497]],[[12683,12683],"mapped",[4498]],[[12684,12684],"mapped",[4500]],[[12685,12685],"mapped",[4510]],[[12686,12686],"mapped",[4513]],[[12687,12687],"disallowed"],[[12688,12689],"valid",[],"NV8"],[[12690,12690],"mapped",[19968]],[[12691,12691],"mapped",[20108]],[[12692,12692],"mapped",[19977]],[[12693,12693],"mapped",[22235]],[[12694,12694],"mapped",[19978]],[[12695,12695],"mapped",[20013]],[[12696,12696],"mapped",[19979]],[[12697,12697],"mapped",[30002]],[[12698,12698],"mapped",[20057]],[[12699,12699],"mapped",[19993]],[[12700,12700],"mapped",[19969]],[[12701,12701],"mapped",[22825]],[[12702,12702],"mapped",[22320]],[[12703,12703],"mapped",[20154]],[[12704,12727],"valid"],[[12728,12730],"valid"],[[12731,12735],"disallowed"],[[12736,12751],"valid",[],"NV8"],[[12752,12771],"valid",[],"NV8"],[[12772,12783],"disallowed"],[[12784,12799],"valid"],[[12800,12800],"disallowed_STD3_mapped",[40,4352,41]],[[12801,12801],"disallowed_STD3_mapped",[40,4354,41]],[[12802,12802],"disallowed_STD3_mapped",[40,4355,41]],[[12803,12803],"disallowed_STD3_mapped",[40,4357,41]],[[12804,12804],"disallowed_STD3_mapped",[40,4358,41]],[[12805,12805],"disallowed_STD3_mapped",[40,4359,41]],[[12806,12806],"disallowed_STD3_mapped",[40,4361,41]],[[12807,12807],"disallowed_STD3_mapped",[40,4363,41]],[[12808,12808],"disallowed_STD3_mapped",[40,4364,41]],[[12809,12809],"disallowed_STD3_mapped",[40,4366,41]],[[12810,12810],"disallowed_STD3_mapped",[40,4367,41]],[[12811,12811],"disallowed_STD3_mapped",[40,4368,41]],[[12812,12812],"disallowed_STD3_mapped",[40,4369,41]],[[12813,12813],"disallowed_STD3_mapped",[40,4370,41]],[[12814,12814],"disallowed_STD3_mapped",[40,44032,41]],[[12815,12815],"disallowed_STD3_mapped",[40,45208,41]],[[12816,12816],"disallowed_STD3_mapped",[40,45796,41]],[[12817,12817],"disallowed_STD3_mapped",[40,46972,41]],[[12818,12818],"disallowed_STD3_mapped",[40,47560,41]],[[12819,12819],"disallowed_STD3_mapped",[40,48148,41]],[[12820,12820],"disallowed_STD3_mapped",[40,49324,41]],[[12821,12821],"disallowed_STD3_mapped",[40,50500,41]],[[12822,12822],"disallowed_STD3_mapped",[40,51088,41]],[[12823,12823],"disallowed_STD3_mapped",[40,52264,41]],[[12824,12824],"disallowed_STD3_mapped",[40,52852,41]],[[12825,12825],"disallowed_STD3_mapped",[40,53440,41]],[[12826,12826],"disallowed_STD3_mapped",[40,54028,41]],[[12827,12827],"disallowed_STD3_mapped",[40,54616,41]],[[12828,12828],"disallowed_STD3_mapped",[40,51452,41]],[[12829,12829],"disallowed_STD3_mapped",[40,50724,51204,41]],[[12830,12830],"disallowed_STD3_mapped",[40,50724,54980,41]],[[12831,12831],"disallowed"],[[12832,12832],"disallowed_STD3_mapped",[40,19968,41]],[[12833,12833],"disallowed_STD3_mapped",[40,20108,41]],[[12834,12834],"disallowed_STD3_mapped",[40,19977,41]],[[12835,12835],"disallowed_STD3_mapped",[40,22235,41]],[[12836,12836],"disallowed_STD3_mapped",[40,20116,41]],[[12837,12837],"disallowed_STD3_mapped",[40,20845,41]],[[12838,12838],"disallowed_STD3_mapped",[40,19971,41]],[[12839,12839],"disallowed_STD3_mapped",[40,20843,41]],[[12840,12840],"disallowed_STD3_mapped",[40,20061,41]],[[12841,12841],"disallowed_STD3_mapped",[40,21313,41]],[[12842,12842],"disallowed_STD3_mapped",[40,26376,41]],[[12843,12843],"disallowed_STD3_mapped",[40,28779,41]],[[12844,12844],"disallowed_STD3_mapped",[40,27700,41]],[[12845,12845],"disallowed_STD3_mapped",[40,26408,41]],[[12846,12846],"disallowed_STD3_mapped",[40,37329,41]],[[12847,12847],"disallowed_STD3_mapped",[40,22303,41]],[[12848,12848],"disallowed_STD3_mapped",[40,26085,41]],[[12849,12849],"disallowed_STD3_mapped",[40,26666,41]],[[12850,12850],"disallowed_STD3_mapped",[40,26377,41]],[[12851,12851],"disallowed_STD3_mapped",[40,31038,41]],[[12852,12852],"disallowed_STD3_mapped",[40,21517,41]],[[12853,12853],"disallowed_STD3_mapped",[40,29305,41]],[[12854,12854],"disallowed_STD3_mapped",[40,36001,41]],[[12855,12855],"disallowed_STD3_mapped",[40,31069,41]],[[12856,12856],"disallowed_STD3_mapped",[40,21172,41]],[[12857,12857],"disallowed_STD3_mapped",[40,20195,41]],[[12858,12858],"disallowed_STD3_mapped",[40,21628,41]],[[12859,12859],"disallowed_STD3_mapped",[40,23398,41]],[[12860,12860],"disallowed_STD3_mapped",[40,30435,41]],[[12861,12861],"disallowed_STD3_mapped",[40,20225,41]],[[12862,12862],"disallowed_STD3_mapped",[40,36039,41]],[[12863,12863],"disallowed_STD3_mapped",[40,21332,41]],[[12864,12864],"disallowed_STD3_mapped",[40,31085,41]],[[12865,12865],"disallowed_STD3_mapped",[40,20241,41]],[[12866,12866],"disallowed_STD3_mapped",[40,33258,41]],[[12867,12867],"disallowed_STD3_mapped",[40,33267,41]],[[12868,12868],"mapped",[21839]],[[12869,12869],"mapped",[24188]],[[12870,12870],"mapped",[25991]],[[12871,12871],"mapped",[31631]],[[12872,12879],"valid",[],"NV8"],[[12880,12880],"mapped",[112,116,101]],[[12881,12881],"mapped",[50,49]],[[12882,12882],"mapped",[50,50]],[[12883,12883],"mapped",[50,51]],[[12884,12884],"mapped",[50,52]],[[12885,12885],"mapped",[50,53]],[[12886,12886],"mapped",[50,54]],[[12887,12887],"mapped",[50,55]],[[12888,12888],"mapped",[50,56]],[[12889,12889],"mapped",[50,57]],[[12890,12890],"mapped",[51,48]],[[12891,12891],"mapped",[51,49]],[[12892,12892],"mapped",[51,50]],[[12893,12893],"mapped",[51,51]],[[12894,12894],"mapped",[51,52]],[[12895,12895],"mapped",[51,53]],[[12896,12896],"mapped",[4352]],[[12897,12897],"mapped",[4354]],[[12898,12898],"mapped",[4355]],[[12899,12899],"mapped",[4357]],[[12900,12900],"mapped",[4358]],[[12901,12901],"mapped",[4359]],[[12902,12902],"mapped",[4361]],[[12903,12903],"mapped",[4363]],[[12904,12904],"mapped",[4364]],[[12905,12905],"mapped",[4366]],[[12906,12906],"mapped",[4367]],[[12907,12907],"mapped",[4368]],[[12908,12908],"mapped",[4369]],[[12909,12909],"mapped",[4370]],[[12910,12910],"mapped",[44032]],[[12911,12911],"mapped",[45208]],[[12912,12912],"mapped",[45796]],[[12913,12913],"mapped",[46972]],[[12914,12914],"mapped",[47560]],[[12915,12915],"mapped",[48148]],[[12916,12916],"mapped",[49324]],[[12917,12917],"mapped",[50500]],[[12918,12918],"mapped",[51088]],[[12919,12919],"mapped",[52264]],[[12920,12920],"mapped",[52852]],[[12921,12921],"mapped",[53440]],[[12922,12922],"mapped",[54028]],[[12923,12923],"mapped",[54616]],[[12924,12924],"mapped",[52280,44256]],[[12925,12925],"mapped",[51452,51032]],[[12926,12926],"mapped",[50864]],[[12927,12927],"valid",[],"NV8"],[[12928,12928],"mapped",[19968]],[[12929,12929],"mapped",[20108]],[[12930,12930],"mapped",[19977]],[[12931,12931],"mapped",[22235]],[[12932,12932],"mapped",[20116]],[[12933,12933],"mapped",[20845]],[[12934,12934],"mapped",[19971]],[[12935,12935],"mapped",[20843]],[[12936,12936],"mapped",[20061]],[[12937,12937],"mapped",[21313]],[[12938,12938],"mapped",[26376]],[[12939,12939],"mapped",[28779]],[[12940,12940],"mapped",[27700]],[[12941,12941],"mapped",[26408]],[[12942,12942],"mapped",[37329]],[[12943,12943],"mapped",[22303]],[[12944,12944],"mapped",[26085]],[[12945,12945],"mapped",[26666]],[[12946,12946],"mapped",[26377]],[[12947,12947],"mapped",[31038]],[[12948,12948],"mapped",[21517]],[[12949,12949],"mapped",[29305]],[[12950,12950],"mapped",[36001]],[[12951,12951],"mapped",[31069]],[[12952,12952],"mapped",[21172]],[[12953,12953],"mapped",[31192]],[[12954,12954],"mapped",[30007]],[[12955,12955],"mapped",[22899]],[[12956,12956],"mapped",[36969]],[[12957,12957],"mapped",[20778]],[[12958,12958],"mapped",[21360]],[[12959,12959],"mapped",[27880]],[[12960,12960],"mapped",[38917]],[[12961,12961],"mapped",[20241]],[[12962,12962],"mapped",[20889]],[[12963,12963],"mapped",[27491]],[[12964,12964],"mapped",[19978]],[[12965,12965],"mapped",[20013]],[[12966,12966],"mapped",[19979]],[[12967,12967],"mapped",[24038]],[[12968,12968],"mapped",[21491]],[[12969,12969],"mapped",[21307]],[[12970,12970],"mapped",[23447]],[[12971,12971],"mapped",[23398]],[[12972,12972],"mapped",[30435]],[[12973,12973],"mapped",[20225]],[[12974,12974],"mapped",[36039]],[[12975,12975],"mapped",[21332]],[[12976,12976],"mapped",[22812]],[[12977,12977],"mapped",[51,54]],[[12978,12978],"mapped",[51,55]],[[12979,12979],"mapped",[51,56]],[[12980,12980],"mapped",[51,57]],[[12981,12981],"mapped",[52,48]],[[12982,12982],"mapped",[52,49]],[[12983,12983],"mapped",[52,50]],[[12984,12984],"mapped",[52,51]],[[12985,12985],"mapped",[52,52]],[[12986,12986],"mapped",[52,53]],[[12987,12987],"mapped",[52,54]],[[12988,12988],"mapped",[52,55]],[[12989,12989],"mapped",[52,56]],[[12990,12990],"mapped",[52,57]],[[12991,12991],"mapped",[53,48]],[[12992,12992],"mapped",[49,26376]],[[12993,12993],"mapped",[50,26376]],[[12994,12994],"mapped",[51,26376]],[[12995,12995],"mapped",[52,26376]],[[12996,12996],"mapped",[53,26376]],[[12997,12997],"mapped",[54,26376]],[[12998,12998],"mapped",[55,26376]],[[12999,12999],"mapped",[56,26376]],[[13000,13000],"mapped",[57,26376]],[[13001,13001],"mapped",[49,48,26376]],[[13002,13002],"mapped",[49,49,26376]],[[13003,13003],"mapped",[49,50,26376]],[[13004,13004],"mapped",[104,103]],[[13005,13005],"mapped",[101,114,103]],[[13006,13006],"mapped",[101,118]],[[13007,13007],"mapped",[108,116,100]],[[13008,13008],"mapped",[12450]],[[13009,13009],"mapped",[12452]],[[13010,13010],"mapped",[12454]],[[13011,13011],"mapped",[12456]],[[13012,13012],"mapped",[12458]],[[13013,13013],"mapped",[12459]],[[13014,13014],"mapped",[12461]],[[13015,13015],"mapped",[12463]],[[13016,13016],"mapped",[12465]],[[13017,13017],"mapped",[12467]],[[13018,13018],"mapped",[12469]],[[13019,13019],"mapped",[12471]],[[13020,13020],"mapped",[12473]],[[13021,13021],"mapped",[12475]],[[13022,13022],"mapped",[12477]],[[13023,13023],"mapped",[12479]],[[13024,13024],"mapped",[12481]],[[13025,13025],"mapped",[12484]],[[13026,13026],"mapped",[12486]],[[13027,13027],"mapped",[12488]],[[13028,13028],"mapped",[12490]],[[13029,13029],"mapped",[12491]],[[13030,13030],"mapped",[12492]],[[13031,13031],"mapped",[12493]],[[13032,13032],"mapped",[12494]],[[13033,13033],"mapped",[12495]],[[13034,13034],"mapped",[12498]],[[13035,13035],"mapped",[12501]],[[13036,13036],"mapped",[12504]],[[13037,13037],"mapped",[12507]],[[13038,13038],"mapped",[12510]],[[13039,13039],"mapped",[12511]],[[13040,13040],"mapped",[12512]],[[13041,13041],"mapped",[12513]],[[13042,13042],"mapped",[12514]],[[13043,13043],"mapped",[12516]],[[13044,13044],"mapped",[12518]],[[13045,13045],"mapped",[12520]],[[13046,13046],"mapped",[12521]],[[13047,13047],"mapped",[12522]],[[13048,13048],"mapped",[12523]],[[13049,13049],"mapped",[12524]],[[13050,13050],"mapped",[12525]],[[13051,13051],"mapped",[12527]],[[13052,13052],"mapped",[12528]],[[13053,13053],"mapped",[12529]],[[13054,13054],"mapped",[12530]],[[13055,13055],"disallowed"],[[13056,13056],"mapped",[12450,12497,12540,12488]],[[13057,13057],"mapped",[12450,12523,12501,12449]],[[13058,13058],"mapped",[12450,12531,12506,12450]],[[13059,13059],"mapped",[12450,12540,12523]],[[13060,13060],"mapped",[12452,12491,12531,12464]],[[13061,13061],"mapped",[12452,12531,12481]],[[13062,13062],"mapped",[12454,12457,12531]],[[13063,13063],"mapped",[12456,12473,12463,12540,12489]],[[13064,13064],"mapped",[12456,12540,12459,12540]],[[13065,13065],"mapped",[12458,12531,12473]],[[13066,13066],"mapped",[12458,12540,12512]],[[13067,13067],"mapped",[12459,12452,12522]],[[13068,13068],"mapped",[12459,12521,12483,12488]],[[13069,13069],"mapped",[12459,12525,12522,12540]],[[13070,13070],"mapped",[12460,12525,12531]],[[13071,13071],"mapped",[12460,12531,12510]],[[13072,13072],"mapped",[12462,12460]],[[13073,13073],"mapped",[12462,12491,12540]],[[13074,13074],"mapped",[12461,12517,12522,12540]],[[13075,13075],"mapped",[12462,12523,12480,12540]],[[13076,13076],"mapped",[12461,12525]],[[13077,13077],"mapped",[12461,12525,12464,12521,12512]],[[13078,13078],"mapped",[12461,12525,12513,12540,12488,12523]],[[13079,13079],"mapped",[12461,12525,12527,12483,12488]],[[13080,13080],"mapped",[12464,12521,12512]],[[13081,13081],"mapped",[12464,12521,12512,12488,12531]],[[13082,13082],"mapped",[12463,12523,12476,12452,12525]],[[13083,13083],"mapped",[12463,12525,12540,12493]],[[13084,13084],"mapped",[12465,12540,12473]],[[13085,13085],"mapped",[12467,12523,12490]],[[13086,13086],"mapped",[12467,12540,12509]],[[13087,13087],"mapped",[12469,12452,12463,12523]],[[13088,13088],"mapped",[12469,12531,12481,12540,12512]],[[13089,13089],"mapped",[12471,12522,12531,12464]],[[13090,13090],"mapped",[12475,12531,12481]],[[13091,13091],"mapped",[12475,12531,12488]],[[13092,13092],"mapped",[12480,12540,12473]],[[13093,13093],"mapped",[12487,12471]],[[13094,13094],"mapped",[12489,12523]],[[13095,13095],"mapped",[12488,12531]],[[13096,13096],"mapped",[12490,12494]],[[13097,13097],"mapped",[12494,12483,12488]],[[13098,13098],"mapped",[12495,12452,12484]],[[13099,13099],"mapped",[12497,12540,12475,12531,12488]],[[13100,13100],"mapped",[12497,12540,12484]],[[13101,13101],"mapped",[12496,12540,12524,12523]],[[13102,13102],"mapped",[12500,12450,12473,12488,12523]],[[13103,13103],"mapped",[12500,12463,12523]],[[13104,13104],"mapped",[12500,12467]],[[13105,13105],"mapped",[12499,12523]],[[13106,13106],"mapped",[12501,12449,12521,12483,12489]],[[13107,13107],"mapped",[12501,12451,12540,12488]],[[13108,13108],"mapped",[12502,12483,12471,12455,12523]],[[13109,13109],"mapped",[12501,12521,12531]],[[13110,13110],"mapped",[12504,12463,12479,12540,12523]],[[13111,13111],"mapped",[12506,12477]],[[13112,13112],"mapped",[12506,12491,12498]],[[13113,13113],"mapped",[12504,12523,12484]],[[13114,13114],"mapped",[12506,12531,12473]],[[13115,13115],"mapped",[12506,12540,12472]],[[13116,13116],"mapped",[12505,12540,12479]],[[13117,13117],"mapped",[12509,12452,12531,12488]],[[13118,13118],"mapped",[12508,12523,12488]],[[13119,13119],"mapped",[12507,12531]],[[13120,13120],"mapped",[12509,12531,12489]],[[13121,13121],"mapped",[12507,12540,12523]],[[13122,13122],"mapped",[12507,12540,12531]],[[13123,13123],"mapped",[12510,12452,12463,12525]],[[13124,13124],"mapped",[12510,12452,12523]],[[13125,13125],"mapped",[12510,12483,12495]],[[13126,13126],"mapped",[12510,12523,12463]],[[13127,13127],"mapped",[12510,12531,12471,12519,12531]],[[13128,13128],"mapped",[12511,12463,12525,12531]],[[13129,13129],"mapped",[12511,12522]],[[13130,13130],"mapped",[12511,12522,12496,12540,12523]],[[13131,13131],"mapped",[12513,12460]],[[13132,13132],"mapped",[12513,12460,12488,12531]],[[13133,13133],"mapped",[12513,12540,12488,12523]],[[13134,13134],"mapped",[12516,12540,12489]],[[13135,13135],"mapped",[12516,12540,12523]],[[13136,13136],"mapped",[12518,12450,12531]],[[13137,13137],"mapped",[12522,12483,12488,12523]],[[13138,13138],"mapped",[12522,12521]],[[13139,13139],"mapped",[12523,12500,12540]],[[13140,13140],"mapped",[12523,12540,12502,12523]],[[13141,13141],"mapped",[12524,12512]],[[13142,13142],"mapped",[12524,12531,12488,12466,12531]],[[13143,13143],"mapped",[12527,12483,12488]],[[13144,13144],"mapped",[48,28857]],[[13145,13145],"mapped",[49,28857]],[[13146,13146],"mapped",[50,28857]],[[13147,13147],"mapped",[51,28857]],[[13148,13148],"mapped",[52,28857]],[[13149,13149],"mapped",[53,28857]],[[13150,13150],"mapped",[54,28857]],[[13151,13151],"mapped",[55,28857]],[[13152,13152],"mapped",[56,28857]],[[13153,13153],"mapped",[57,28857]],[[13154,13154],"mapped",[49,48,28857]],[[13155,13155],"mapped",[49,49,28857]],[[13156,13156],"mapped",[49,50,28857]],[[13157,13157],"mapped",[49,51,28857]],[[13158,13158],"mapped",[49,52,28857]],[[13159,13159],"mapped",[49,53,28857]],[[13160,13160],"mapped",[49,54,28857]],[[13161,13161],"mapped",[49,55,28857]],[[13162,13162],"mapped",[49,56,28857]],[[13163,13163],"mapped",[49,57,28857]],[[13164,13164],"mapped",[50,48,28857]],[[13165,13165],"mapped",[50,49,28857]],[[13166,13166],"mapped",[50,50,28857]],[[13167,13167],"mapped",[50,51,28857]],[[13168,13168],"mapped",[50,52,28857]],[[13169,13169],"mapped",[104,112,97]],[[13170,13170],"mapped",[100,97]],[[13171,13171],"mapped",[97,117]],[[13172,13172],"mapped",[98,97,114]],[[13173,13173],"mapped",[111,118]],[[13174,13174],"mapped",[112,99]],[[13175,13175],"mapped",[100,109]],[[13176,13176],"mapped",[100,109,50]],[[13177,13177],"mapped",[100,109,51]],[[13178,13178],"mapped",[105,117]],[[13179,13179],"mapped",[24179,25104]],[[13180,13180],"mapped",[26157,21644]],[[13181,13181],"mapped",[22823,27491]],[[13182,13182],"mapped",[26126,27835]],[[13183,13183],"mapped",[26666,24335,20250,31038]],[[13184,13184],"mapped",[112,97]],[[13185,13185],"mapped",[110,97]],[[13186,13186],"mapped",[956,97]],[[13187,13187],"mapped",[109,97]],[[13188,13188],"mapped",[107,97]],[[13189,13189],"mapped",[107,98]],[[13190,13190],"mapped",[109,98]],[[13191,13191],"mapped",[103,98]],[[13192,13192],"mapped",[99,97,108]],[[13193,13193],"mapped",[107,99,97,108]],[[13194,13194],"mapped",[112,102]],[[13195,13195],"mapped",[110,102]],[[13196,13196],"mapped",[956,102]],[[13197,13197],"mapped",[956,103]],[[13198,13198],"mapped",[109,103]],[[13199,13199],"mapped",[107,103]],[[13200,13200],"mapped",[104,122]],[[13201,13201],"mapped",[107,104,122]],[[13202,13202],"mapped",[109,104,122]],[[13203,13203],"mapped",[103,104,122]],[[13204,13204],"mapped",[116,104,122]],[[13205,13205],"mapped",[956,108]],[[13206,13206],"mapped",[109,108]],[[13207,13207],"mapped",[100,108]],[[13208,13208],"mapped",[107,108]],[[13209,13209],"mapped",[102,109]],[[13210,13210],"mapped",[110,109]],[[13211,13211],"mapped",[956,109]],[[13212,13212],"mapped",[109,109]],[[13213,13213],"mapped",[99,109]],[[13214,13214],"mapped",[107,109]],[[13215,13215],"mapped",[109,109,50]],[[13216,13216],"mapped",[99,109,50]],[[13217,13217],"mapped",[109,50]],[[13218,13218],"mapped",[107,109,50]],[[13219,13219],"mapped",[109,109,51]],[[13220,13220],"mapped",[99,109,51]],[[13221,13221],"mapped",[109,51]],[[13222,13222],"mapped",[107,109,51]],[[13223,13223],"mapped",[109,8725,115]],[[13224,13224],"mapped",[109,8725,115,50]],[[13225,13225],"mapped",[112,97]],[[13226,13226],"mapped",[107,112,97]],[[13227,13227],"mapped",[109,112,97]],[[13228,13228],"mapped",[103,112,97]],[[13229,13229],"mapped",[114,97,100]],[[13230,13230],"mapped",[114,97,100,8725,115]],[[13231,13231],"mapped",[114,97,100,8725,115,50]],[[13232,13232],"mapped",[112,115]],[[13233,13233],"mapped",[110,115]],[[13234,13234],"mapped",[956,115]],[[13235,13235],"mapped",[109,115]],[[13236,13236],"mapped",[112,118]],[[13237,13237],"mapped",[110,118]],[[13238,13238],"mapped",[956,118]],[[13239,13239],"mapped",[109,118]],[[13240,13240],"mapped",[107,118]],[[13241,13241],"mapped",[109,118]],[[13242,13242],"mapped",[112,119]],[[13243,13243],"mapped",[110,119]],[[13244,13244],"mapped",[956,119]],[[13245,13245],"mapped",[109,119]],[[13246,13246],"mapped",[107,119]],[[13247,13247],"mapped",[109,119]],[[13248,13248],"mapped",[107,969]],[[13249,13249],"mapped",[109,969]],[[13250,13250],"disallowed"],[[13251,13251],"mapped",[98,113]],[[13252,13252],"mapped",[99,99]],[[13253,13253],"mapped",[99,100]],[[13254,13254],"mapped",[99,8725,107,103]],[[13255,13255],"disallowed"],[[13256,13256],"mapped",[100,98]],[[13257,13257],"mapped",[103,121]],[[13258,13258],"mapped",[104,97]],[[13259,13259],"mapped",[104,112]],[[13260,13260],"mapped",[105,110]],[[13261,13261],"mapped",[107,107]],[[13262,13262],"mapped",[107,109]],[[13263,13263],"mapped",[107,116]],[[13264,13264],"mapped",[108,109]],[[13265,13265],"mapped",[108,110]],[[13266,13266],"mapped",[108,111,103]],[[13267,13267],"mapped",[108,120]],[[13268,13268],"mapped",[109,98]],[[13269,13269],"mapped",[109,105,108]],[[13270,13270],"mapped",[109,111,108]],[[13271,13271],"mapped",[112,104]],[[13272,13272],"disallowed"],[[13273,13273],"mapped",[112,112,109]],[[13274,13274],"mapped",[112,114]],[[13275,13275],"mapped",[115,114]],[[13276,13276],"mapped",[115,118]],[[13277,13277],"mapped",[119,98]],[[13278,13278],"mapped",[118,8725,109]],[[13279,13279],"mapped",[97,8725,109]],[[13280,13280],"mapped",[49,26085]],[[13281,13281],"mapped",[50,26085]],[[13282,13282],"mapped",[51,26085]],[[13283,13283],"mapped",[52,26085]],[[13284,13284],"mapped",[53,26085]],[[13285,13285],"mapped",[54,26085]],[[13286,13286],"mapped",[55,26085]],[[13287,13287],"mapped",[56,26085]],[[13288,13288],"mapped",[57,26085]],[[13289,13289],"mapped",[49,48,26085]],[[13290,13290],"mapped",[49,49,26085]],[[13291,13291],"mapped",[49,50,26085]],[[13292,13292],"mapped",[49,51,26085]],[[13293,13293],"mapped",[49,52,26085]],[[13294,13294],"mapped",[49,53,26085]],[[13295,13295],"mapped",[49,54,26085]],[[13296,13296],"mapped",[49,55,26085]],[[13297,13297],"mapped",[49,56,26085]],[[13298,13298],"mapped",[49,57,26085]],[[13299,13299],"mapped",[50,48,26085]],[[13300,13300],"mapped",[50,49,26085]],[[13301,13301],"mapped",[50,50,26085]],[[13302,13302],"mapped",[50,51,26085]],[[13303,13303],"mapped",[50,52,26085]],[[13304,13304],"mapped",[50,53,26085]],[[13305,13305],"mapped",[50,54,26085]],[[13306,13306],"mapped",[50,55,26085]],[[13307,13307],"mapped",[50,56,26085]],[[13308,13308],"mapped",[50,57,26085]],[[13309,13309],"mapped",[51,48,26085]],[[13310,13310],"mapped",[51,49,26085]],[[13311,13311],"mapped",[103,97,108]],[[13312,19893],"valid"],[[19894,19903],"disallowed"],[[19904,19967],"valid",[],"NV8"],[[19968,40869],"valid"],[[40870,40891],"valid"],[[40892,40899],"valid"],[[40900,40907],"valid"],[[40908,40908],"valid"],[[40909,40917],"valid"],[[40918,40959],"disallowed"],[[40960,42124],"valid"],[[42125,42127],"disallowed"],[[42128,42145],"valid",[],"NV8"],[[42146,42147],"valid",[],"NV8"],[[42148,42163],"valid",[],"NV8"],[[42164,42164],"valid",[],"NV8"],[[42165,42176],"valid",[],"NV8"],[[42177,42177],"valid",[],"NV8"],[[42178,42180],"valid",[],"NV8"],[[42181,42181],"valid",[],"NV8"],[[42182,42182],"valid",[],"NV8"],[[42183,42191],"disallowed"],[[42192,42237],"valid"],[[42238,42239],"valid",[],"NV8"],[[42240,42508],"valid"],[[42509,42511],"valid",[],"NV8"],[[42512,42539],"valid"],[[42540,42559],"disallowed"],[[42560,42560],"mapped",[42561]],[[42561,42561],"valid"],[[42562,42562],"mapped",[42563]],[[42563,42563],"valid"],[[42564,42564],"mapped",[42565]],[[42565,42565],"valid"],[[42566,42566],"mapped",[42567]],[[42567,42567],"valid"],[[42568,42568],"mapped",[42569]],[[42569,42569],"valid"],[[42570,42570],"mapped",[42571]],[[42571,42571],"valid"],[[42572,42572],"mapped",[42573]],[[42573,42573],"valid"],[[42574,42574],"mapped",[42575]],[[42575,42575],"valid"],[[42576,42576],"mapped",[42577]],[[42577,42577],"valid"],[[42578,42578],"mapped",[42579]],[[42579,42579],"valid"],[[42580,42580],"mapped",[42581]],[[42581,42581],"valid"],[[42582,42582],"mapped",[42583]],[[42583,42583],"valid"],[[42584,42584],"mapped",[42585]],[[42585,42585],"valid"],[[42586,42586],"mapped",[42587]],[[42587,42587],"valid"],[[42588,42588],"mapped",[42589]],[[42589,42589],"valid"],[[42590,42590],"mapped",[42591]],[[42591,42591],"valid"],[[42592,42592],"mapped",[42593]],[[42593,42593],"valid"],[[42594,42594],"mapped",[42595]],[[42595,42595],"valid"],[[42596,42596],"mapped",[42597]],[[42597,42597],"valid"],[[42598,42598],"mapped",[42599]],[[42599,42599],"valid"],[[42600,42600],"mapped",[42601]],[[42601,42601],"valid"],[[42602,42602],"mapped",[42603]],[[42603,42603],"valid"],[[42604,42604],"mapped",[42605]],[[42605,42607],"valid"],[[42608,42611],"valid",[],"NV8"],[[42612,42619],"valid"],[[42620,42621],"valid"],[[42622,42622],"valid",[],"NV8"],[[42623,42623],"valid"],[[42624,42624],"mapped",[42625]],[[42625,42625],"valid"],[[42626,42626],"mapped",[42627]],[[42627,42627],"valid"],[[42628,42628],"mapped",[42629]],[[42629,42629],"valid"],[[42630,42630],"mapped",[42631]],[[42631,42631],"valid"],[[42632,42632],"mapped",[42633]],[[42633,42633],"valid"],[[42634,42634],"mapped",[42635]],[[42635,42635],"valid"],[[42636,42636],"mapped",[42637]],[[42637,42637],"valid"],[[42638,42638],"mapped",[42639]],[[42639,42639],"valid"],[[42640,42640],"mapped",[42641]],[[42641,42641],"valid"],[[42642,42642],"mapped",[42643]],[[42643,42643],"valid"],[[42644,42644],"mapped",[42645]],[[42645,42645],"valid"],[[42646,42646],"mapped",[42647]],[[42647,42647],"valid"],[[42648,42648],"mapped",[42649]],[[42649,42649],"valid"],[[42650,42650],"mapped",[42651]],[[42651,42651],"valid"],[[42652,42652],"mapped",[1098]],[[42653,42653],"mapped",[1100]],[[42654,42654],"valid"],[[42655,42655],"valid"],[[42656,42725],"valid"],[[42726,42735],"valid",[],"NV8"],[[42736,42737],"valid"],[[42738,42743],"valid",[],"NV8"],[[42744,42751],"disallowed"],[[42752,42774],"valid",[],"NV8"],[[42775,42778],"valid"],[[42779,42783],"valid"],[[42784,42785],"valid",[],"NV8"],[[42786,42786],"mapped",[42787]],[[42787,42787],"valid"],[[42788,42788],"mapped",[42789]],[[42789,42789],"valid"],[[42790,42790],"mapped",[42791]],[[42791,42791],"valid"],[[42792,42792],"mapped",[42793]],[[42793,42793],"valid"],[[42794,42794],"mapped",[42795]],[[42795,42795],"valid"],[[42796,42796],"mapped",[42797]],[[42797,42797],"valid"],[[42798,42798],"mapped",[42799]],[[42799,42801],"valid"],[[42802,42802],"mapped",[42803]],[[42803,42803],"valid"],[[42804,42804],"mapped",[42805]],[[42805,42805],"valid"],[[42806,42806],"mapped",[42807]],[[42807,42807],"valid"],[[42808,42808],"mapped",[42809]],[[42809,42809],"valid"],[[42810,42810],"mapped",[42811]],[[42811,42811],"valid"],[[42812,42812],"mapped",[42813]],[[42813,42813],"valid"],[[42814,42814],"mapped",[42815]],[[42815,42815],"valid"],[[42816,42816],"mapped",[42817]],[[42817,42817],"valid"],[[42818,42818],"mapped",[42819]],[[42819,42819],"valid"],[[42820,42820],"mapped",[42821]],[[42821,42821],"valid"],[[42822,42822],"mapped",[42823]],[[42823,42823],"valid"],[[42824,42824],"mapped",[42825]],[[42825,42825],"valid"],[[42826,42826],"mapped",[42827]],[[42827,42827],"valid"],[[42828,42828],"mapped",[42829]],[[42829,42829],"valid"],[[42830,42830],"mapped",[42831]],[[42831,42831],"valid"],[[42832,42832],"mapped",[42833]],[[42833,42833],"valid"],[[42834,42834],"mapped",[42835]],[[42835,42835],"valid"],[[42836,42836],"mapped",[42837]],[[42837,42837],"valid"],[[42838,42838],"mapped",[42839]],[[42839,42839],"valid"],[[42840,42840],"mapped",[42841]],[[42841,42841],"valid"],[[42842,42842],"mapped",[42843]],[[42843,42843],"valid"],[[42844,42844],"mapped",[42845]],[[42845,42845],"valid"],[[42846,42846],"mapped",[42847]],[[42847,42847],"valid"],[[42848,42848],"mapped",[42849]],[[42849,42849],"valid"],[[42850,42850],"mapped",[42851]],[[42851,42851],"valid"],[[42852,42852],"mapped",[42853]],[[42853,42853],"valid"],[[42854,42854],"mapped",[42855]],[[42855,42855],"valid"],[[42856,42856],"mapped",[42857]],[[42857,42857],"valid"],[[42858,42858],"mapped",[42859]],[[42859,42859],"valid"],[[42860,42860],"mapped",[42861]],[[42861,42861],"valid"],[[42862,42862],"mapped",[42863]],[[42863,42863],"valid"],[[42864,42864],"mapped",[42863]],[[42865,42872],"valid"],[[42873,42873],"mapped",[42874]],[[42874,42874],"valid"],[[42875,42875],"mapped",[42876]],[[42876,42876],"valid"],[[42877,42877],"mapped",[7545]],[[42878,42878],"mapped",[42879]],[[42879,42879],"valid"],[[42880,42880],"mapped",[42881]],[[42881,42881],"valid"],[[42882,42882],"mapped",[42883]],[[42883,42883],"valid"],[[42884,42884],"mapped",[42885]],[[42885,42885],"valid"],[[42886,42886],"mapped",[42887]],[[42887,42888],"valid"],[[42889,42890],"valid",[],"NV8"],[[42891,42891],"mapped",[42892]],[[42892,42892],"valid"],[[42893,42893],"mapped",[613]],[[42894,42894],"valid"],[[42895,42895],"valid"],[[42896,42896],"mapped",[42897]],[[42897,42897],"valid"],[[42898,42898],"mapped",[42899]],[[42899,42899],"valid"],[[42900,42901],"valid"],[[42902,42902],"mapped",[42903]],[[42903,42903],"valid"],[[42904,42904],"mapped",[42905]],[[42905,42905],"valid"],[[42906,42906],"mapped",[42907]],[[42907,42907],"valid"],[[42908,42908],"mapped",[42909]],[[42909,42909],"valid"],[[42910,42910],"mapped",[42911]],[[42911,42911],"valid"],[[42912,42912],"mapped",[42913]],[[42913,42913],"valid"],[[42914,42914],"mapped",[42915]],[[42915,42915],"valid"],[[42916,42916],"mapped",[42917]],[[42917,42917],"valid"],[[42918,42918],"mapped",[42919]],[[42919,42919],"valid"],[[42920,42920],"mapped",[42921]],[[42921,42921],"valid"],[[42922,42922],"mapped",[614]],[[42923,42923],"mapped",[604]],[[42924,42924],"mapped",[609]],[[42925,42925],"mapped",[620]],[[42926,42927],"disallowed"],[[42928,42928],"mapped",[670]],[[42929,42929],"mapped",[647]],[[42930,42930],"mapped",[669]],[[42931,42931],"mapped",[43859]],[[42932,42932],"mapped",[42933]],[[42933,42933],"valid"],[[42934,42934],"mapped",[42935]],[[42935,42935],"valid"],[[42936,42998],"disallowed"],[[42999,42999],"valid"],[[43000,43000],"mapped",[295]],[[43001,43001],"mapped",[339]],[[43002,43002],"valid"],[[43003,43007],"valid"],[[43008,43047],"valid"],[[43048,43051],"valid",[],"NV8"],[[43052,43055],"disallowed"],[[43056,43065],"valid",[],"NV8"],[[43066,43071],"disallowed"],[[43072,43123],"valid"],[[43124,43127],"valid",[],"NV8"],[[43128,43135],"disallowed"],[[43136,43204],"valid"],[[43205,43213],"disallowed"],[[43214,43215],"valid",[],"NV8"],[[43216,43225],"valid"],[[43226,43231],"disallowed"],[[43232,43255],"valid"],[[43256,43258],"valid",[],"NV8"],[[43259,43259],"valid"],[[43260,43260],"valid",[],"NV8"],[[43261,43261],"valid"],[[43262,43263],"disallowed"],[[43264,43309],"valid"],[[43310,43311],"valid",[],"NV8"],[[43312,43347],"valid"],[[43348,43358],"disallowed"],[[43359,43359],"valid",[],"NV8"],[[43360,43388],"valid",[],"NV8"],[[43389,43391],"disallowed"],[[43392,43456],"valid"],[[43457,43469],"valid",[],"NV8"],[[43470,43470],"disallowed"],[[43471,43481],"valid"],[[43482,43485],"disallowed"],[[43486,43487],"valid",[],"NV8"],[[43488,43518],"valid"],[[43519,43519],"disallowed"],[[43520,43574],"valid"],[[43575,43583],"disallowed"],[[43584,43597],"valid"],[[43598,43599],"disallowed"],[[43600,43609],"valid"],[[43610,43611],"disallowed"],[[43612,43615],"valid",[],"NV8"],[[43616,43638],"valid"],[[43639,43641],"valid",[],"NV8"],[[43642,43643],"valid"],[[43644,43647],"valid"],[[43648,43714],"valid"],[[43715,43738],"disallowed"],[[43739,43741],"valid"],[[43742,43743],"valid",[],"NV8"],[[43744,43759],"valid"],[[43760,43761],"valid",[],"NV8"],[[43762,43766],"valid"],[[43767,43776],"disallowed"],[[43777,43782],"valid"],[[43783,43784],"disallowed"],[[43785,43790],"valid"],[[43791,43792],"disallowed"],[[43793,43798],"valid"],[[43799,43807],"disallowed"],[[43808,43814],"valid"],[[43815,43815],"disallowed"],[[43816,43822],"valid"],[[43823,43823],"disallowed"],[[43824,43866],"valid"],[[43867,43867],"valid",[],"NV8"],[[43868,43868],"mapped",[42791]],[[43869,43869],"mapped",[43831]],[[43870,43870],"mapped",[619]],[[43871,43871],"mapped",[43858]],[[43872,43875],"valid"],[[43876,43877],"valid"],[[43878,43887],"disallowed"],[[43888,43888],"mapped",[5024]],[[43889,43889],"mapped",[5025]],[[43890,43890],"mapped",[5026]],[[43891,43891],"mapped",[5027]],[[43892,43892],"mapped",[5028]],[[43893,43893],"mapped",[5029]],[[43894,43894],"mapped",[5030]],[[43895,43895],"mapped",[5031]],[[43896,43896],"mapped",[5032]],[[43897,43897],"mapped",[5033]],[[43898,43898],"mapped",[5034]],[[43899,43899],"mapped",[5035]],[[43900,43900],"mapped",[5036]],[[43901,43901],"mapped",[5037]],[[43902,43902],"mapped",[5038]],[[43903,43903],"mapped",[5039]],[[43904,43904],"mapped",[5040]],[[43905,43905],"mapped",[5041]],[[43906,43906],"mapped",[5042]],[[43907,43907],"mapped",[5043]],[[43908,43908],"mapped",[5044]],[[43909,43909],"mapped",[5045]],[[43910,43910],"mapped",[5046]],[[43911,43911],"mapped",[5047]],[[43912,43912],"mapped",[5048]],[[43913,43913],"mapped",[5049]],[[43914,43914],"mapped",[5050]],[[43915,43915],"mapped",[5051]],[[43916,43916],"mapped",[5052]],[[43917,43917],"mapped",[5053]],[[43918,43918],"mapped",[5054]],[[43919,43919],"mapped",[5055]],[[43920,43920],"mapped",[5056]],[[43921,43921],"mapped",[5057]],[[43922,43922],"mapped",[5058]],[[43923,43923],"mapped",[5059]],[[43924,43924],"mapped",[5060]],[[43925,43925],"mapped",[5061]],[[43926,43926],"mapped",[5062]],[[43927,43927],"mapped",[5063]],[[43928,43928],"mapped",[5064]],[[43929,43929],"mapped",[5065]],[[43930,43930],"mapped",[5066]],[[43931,43931],"mapped",[5067]],[[43932,43932],"mapped",[5068]],[[43933,43933],"mapped",[5069]],[[43934,43934],"mapped",[5070]],[[43935,43935],"mapped",[5071]],[[43936,43936],"mapped",[5072]],[[43937,43937],"mapped",[5073]],[[43938,43938],"mapped",[5074]],[[43939,43939],"mapped",[5075]],[[43940,43940],"mapped",[5076]],[[43941,43941],"mapped",[5077]],[[43942,43942],"mapped",[5078]],[[43943,43943],"mapped",[5079]],[[43944,43944],"mapped",[5080]],[[43945,43945],"mapped",[5081]],[[43946,43946],"mapped",[5082]],[[43947,43947],"mapped",[5083]],[[43948,43948],"mapped",[5084]],[[43949,43949],"mapped",[5085]],[[43950,43950],"mapped",[5086]],[[43951,43951],"mapped",[5087]],[[43952,43952],"mapped",[5088]],[[43953,43953],"mapped",[5089]],[[43954,43954],"mapped",[5090]],[[43955,43955],"mapped",[5091]],[[43956,43956],"mapped",[5092]],[[43957,43957],"mapped",[5093]],[[43958,43958],"mapped",[5094]],[[43959,43959],"mapped",[5095]],[[43960,43960],"mapped",[5096]],[[43961,43961],"mapped",[5097]],[[43962,43962],"mapped",[5098]],[[43963,43963],"mapped",[5099]],[[43964,43964],"mapped",[5100]],[[43965,43965],"mapped",[5101]],[[43966,43966],"mapped",[5102]],[[43967,43967],"mapped",[5103]],[[43968,44010],"valid"],[[44011,44011],"valid",[],"NV8"],[[44012,44013],"valid"],[[44014,44015],"disallowed"],[[44016,44025],"valid"],[[44026,44031],"disallowed"],[[44032,55203],"valid"],[[55204,55215],"disallowed"],[[55216,55238],"valid",[],"NV8"],[[55239,55242],"disallowed"],[[55243,55291],"valid",[],"NV8"],[[55292,55295],"disallowed"],[[55296,57343],"disallowed"],[[57344,63743],"disallowed"],[[63744,63744],"mapped",[35912]],[[63745,63745],"mapped",[26356]],[[63746,63746],"mapped",[36554]],[[63747,63747],"mapped",[36040]],[[63748,63748],"mapped",[28369]],[[63749,63749],"mapped",[20018]],[[63750,63750],"mapped",[21477]],[[63751,63752],"mapped",[40860]],[[63753,63753],"mapped",[22865]],[[63754,63754],"mapped",[37329]],[[63755,63755],"mapped",[21895]],[[63756,63756],"mapped",[22856]],[[63757,63757],"mapped",[25078]],[[63758,63758],"mapped",[30313]],[[63759,63759],"mapped",[32645]],[[63760,63760],"mapped",[34367]],[[63761,63761],"mapped",[34746]],[[63762,63762],"mapped",[35064]],[[63763,63763],"mapped",[37007]],[[63764,63764],"mapped",[27138]],[[63765,63765],"mapped",[27931]],[[63766,63766],"mapped",[28889]],[[63767,63767],"mapped",[29662]],[[63768,63768],"mapped",[33853]],[[63769,63769],"mapped",[37226]],[[63770,63770],"mapped",[39409]],[[63771,63771],"mapped",[20098]],[[63772,63772],"mapped",[21365]],[[63773,63773],"mapped",[27396]],[[63774,63774],"mapped",[29211]],[[63775,63775],"mapped",[34349]],[[63776,63776],"mapped",[40478]],[[63777,63777],"mapped",[23888]],[[63778,63778],"mapped",[28651]],[[63779,63779],"mapped",[34253]],[[63780,63780],"mapped",[35172]],[[63781,63781],"mapped",[25289]],[[63782,63782],"mapped",[33240]],[[63783,63783],"mapped",[34847]],[[63784,63784],"mapped",[24266]],[[63785,63785],"mapped",[26391]],[[63786,63786],"mapped",[28010]],[[63787,63787],"mapped",[29436]],[[63788,63788],"mapped",[37070]],[[63789,63789],"mapped",[20358]],[[63790,63790],"mapped",[20919]],[[63791,63791],"mapped",[21214]],[[63792,63792],"mapped",[25796]],[[63793,63793],"mapped",[27347]],[[63794,63794],"mapped",[29200]],[[63795,63795],"mapped",[30439]],[[63796,63796],"mapped",[32769]],[[63797,63797],"mapped",[34310]],[[63798,63798],"mapped",[34396]],[[63799,63799],"mapped",[36335]],[[63800,63800],"mapped",[38706]],[[63801,63801],"mapped",[39791]],[[63802,63802],"mapped",[40442]],[[63803,63803],"mapped",[30860]],[[63804,63804],"mapped",[31103]],[[63805,63805],"mapped",[32160]],[[63806,63806],"mapped",[33737]],[[63807,63807],"mapped",[37636]],[[63808,63808],"mapped",[40575]],[[63809,63809],"mapped",[35542]],[[63810,63810],"mapped",[22751]],[[63811,63811],"mapped",[24324]],[[63812,63812],"mapped",[31840]],[[63813,63813],"mapped",[32894]],[[63814,63814],"mapped",[29282]],[[63815,63815],"mapped",[30922]],[[63816,63816],"mapped",[36034]],[[63817,63817],"mapped",[38647]],[[63818,63818],"mapped",[22744]],[[63819,63819],"mapped",[23650]],[[63820,63820],"mapped",[27155]],[[63821,63821],"mapped",[28122]],[[63822,63822],"mapped",[28431]],[[63823,63823],"mapped",[32047]],[[63824,63824],"mapped",[32311]],[[63825,63825],"mapped",[38475]],[[63826,63826],"mapped",[21202]],[[63827,63827],"mapped",[32907]],[[63828,63828],"mapped",[20956]],[[63829,63829],"mapped",[20940]],[[63830,63830],"mapped",[31260]],[[63831,63831],"mapped",[32190]],[[63832,63832],"mapped",[33777]],[[63833,63833],"mapped",[38517]],[[63834,63834],"mapped",[35712]],[[63835,63835],"mapped",[25295]],[[63836,63836],"mapped",[27138]],[[63837,63837],"mapped",[35582]],[[63838,63838],"mapped",[20025]],[[63839,63839],"mapped",[23527]],[[63840,63840],"mapped",[24594]],[[63841,63841],"mapped",[29575]],[[63842,63842],"mapped",[30064]],[[63843,63843],"mapped",[21271]],[[63844,63844],"mapped",[30971]],[[63845,63845],"mapped",[20415]],[[63846,63846],"mapped",[24489]],[[63847,63847],"mapped",[19981]],[[63848,63848],"mapped",[27852]],[[63849,63849],"mapped",[25976]],[[63850,63850],"mapped",[32034]],[[63851,63851],"mapped",[21443]],[[63852,63852],"mapped",[22622]],[[63853,63853],"mapped",[30465]],[[63854,63854],"mapped",[33865]],[[63855,63855],"mapped",[35498]],[[63856,63856],"mapped",[27578]],[[63857,63857],"mapped",[36784]],[[63858,63858],"mapped",[27784]],[[63859,63859],"mapped",[25342]],[[63860,63860],"mapped",[33509]],[[63861,63861],"mapped",[25504]],[[63862,63862],"mapped",[30053]],[[63863,63863],"mapped",[20142]],[[63864,63864],"mapped",[20841]],[[63865,63865],"mapped",[20937]],[[63866,63866],"mapped",[26753]],[[63867,63867],"mapped",[31975]],[[63868,63868],"mapped",[33391]],[[63869,63869],"mapped",[35538]],[[63870,63870],"mapped",[37327]],[[63871,63871],"mapped",[21237]],[[63872,63872],"mapped",[21570]],[[63873,63873],"mapped",[22899]],[[63874,63874],"mapped",[24300]],[[63875,63875],"mapped",[26053]],[[63876,63876],"mapped",[28670]],[[63877,63877],"mapped",[31018]],[[63878,63878],"mapped",[38317]],[[63879,63879],"mapped",[39530]],[[63880,63880],"mapped",[40599]],[[63881,63881],"mapped",[40654]],[[63882,63882],"mapped",[21147]],[[63883,63883],"mapped",[26310]],[[63884,63884],"mapped",[27511]],[[63885,63885],"mapped",[36706]],[[63886,63886],"mapped",[24180]],[[63887,63887],"mapped",[24976]],[[63888,63888],"mapped",[25088]],[[63889,63889],"mapped",[25754]],[[63890,63890],"mapped",[28451]],[[63891,63891],"mapped",[29001]],[[63892,63892],"mapped",[29833]],[[63893,63893],"mapped",[31178]],[[63894,63894],"mapped",[32244]],[[63895,63895],"mapped",[32879]],[[63896,63896],"mapped",[36646]],[[63897,63897],"mapped",[34030]],[[63898,63898],"mapped",[36899]],[[63899,63899],"mapped",[37706]],[[63900,63900],"mapped",[21015]],[[63901,63901],"mapped",[21155]],[[63902,63902],"mapped",[21693]],[[63903,63903],"mapped",[28872]],[[63904,63904],"mapped",[35010]],[[63905,63905],"mapped",[35498]],[[63906,63906],"mapped",[24265]],[[63907,63907],"mapped",[24565]],[[63908,63908],"mapped",[25467]],[[63909,63909],"mapped",[27566]],[[63910,63910],"mapped",[31806]],[[63911,63911],"mapped",[29557]],[[63912,63912],"mapped",[20196]],[[63913,63913],"mapped",[22265]],[[63914,63914],"mapped",[23527]],[[63915,63915],"mapped",[23994]],[[63916,63916],"mapped",[24604]],[[63917,63917],"mapped",[29618]],[[63918,63918],"mapped",[29801]],[[63919,63919],"mapped",[32666]],[[63920,63920],"mapped",[32838]],[[63921,63921],"mapped",[37428]],[[63922,63922],"mapped",[38646]],[[63923,63923],"mapped",[38728]],[[63924,63924],"mapped",[38936]],[[63925,63925],"mapped",[20363]],[[63926,63926],"mapped",[31150]],[[63927,63927],"mapped",[37300]],[[63928,63928],"mapped",[38584]],[[63929,63929],"mapped",[24801]],[[63930,63930],"mapped",[20102]],[[63931,63931],"mapped",[20698]],[[63932,63932],"mapped",[23534]],[[63933,63933],"mapped",[23615]],[[63934,63934],"mapped",[26009]],[[63935,63935],"mapped",[27138]],[[63936,63936],"mapped",[29134]],[[63937,63937],"mapped",[30274]],[[63938,63938],"mapped",[34044]],[[63939,63939],"mapped",[36988]],[[63940,63940],"mapped",[40845]],[[63941,63941],"mapped",[26248]],[[63942,63942],"mapped",[38446]],[[63943,63943],"mapped",[21129]],[[63944,63944],"mapped",[26491]],[[63945,63945],"mapped",[26611]],[[63946,63946],"mapped",[27969]],[[63947,63947],"mapped",[28316]],[[63948,63948],"mapped",[29705]],[[63949,63949],"mapped",[30041]],[[63950,63950],"mapped",[30827]],[[63951,63951],"mapped",[32016]],[[63952,63952],"mapped",[39006]],[[63953,63953],"mapped",[20845]],[[63954,63954],"mapped",[25134]],[[63955,63955],"mapped",[38520]],[[63956,63956],"mapped",[20523]],[[63957,63957],"mapped",[23833]],[[63958,63958],"mapped",[28138]],[[63959,63959],"mapped",[36650]],[[63960,63960],"mapped",[24459]],[[63961,63961],"mapped",[24900]],[[63962,63962],"mapped",[26647]],[[63963,63963],"mapped",[29575]],[[63964,63964],"mapped",[38534]],[[63965,63965],"mapped",[21033]],[[63966,63966],"mapped",[21519]],[[63967,63967],"mapped",[23653]],[[63968,63968],"mapped",[26131]],[[63969,63969],"mapped",[26446]],[[63970,63970],"mapped",[26792]],[[63971,63971],"mapped",[27877]],[[63972,63972],"mapped",[29702]],[[63973,63973],"mapped",[30178]],[[63974,63974],"mapped",[32633]],[[63975,63975],"mapped",[35023]],[[63976,63976],"mapped",[35041]],[[63977,63977],"mapped",[37324]],[[63978,63978],"mapped",[38626]],[[63979,63979],"mapped",[21311]],[[63980,63980],"mapped",[28346]],[[63981,63981],"mapped",[21533]],[[63982,63982],"mapped",[29136]],[[63983,63983],"mapped",[29848]],[[63984,63984],"mapped",[34298]],[[63985,63985],"mapped",[38563]],[[63986,63986],"mapped",[40023]],[[63987,63987],"mapped",[40607]],[[63988,63988],"mapped",[26519]],[[63989,63989],"mapped",[28107]],[[63990,63990],"mapped",[33256]],[[63991,63991],"mapped",[31435]],[[63992,63992],"mapped",[31520]],[[63993,63993],"mapped",[31890]],[[63994,63994],"mapped",[29376]],[[63995,63995],"mapped",[28825]],[[63996,63996],"mapped",[35672]],[[63997,63997],"mapped",[20160]],[[63998,63998],"mapped",[33590]],[[63999,63999],"mapped",[21050]],[[64000,64000],"mapped",[20999]],[[64001,64001],"mapped",[24230]],[[64002,64002],"mapped",[25299]],[[64003,64003],"mapped",[31958]],[[64004,64004],"mapped",[23429]],[[64005,64005],"mapped",[27934]],[[64006,64006],"mapped",[26292]],[[64007,64007],"mapped",[36667]],[[64008,64008],"mapped",[34892]],[[64009,64009],"mapped",[38477]],[[64010,64010],"mapped",[35211]],[[64011,64011],"mapped",[24275]],[[64012,64012],"mapped",[20800]],[[64013,64013],"mapped",[21952]],[[64014,64015],"valid"],[[64016,64016],"mapped",[22618]],[[64017,64017],"valid"],[[64018,64018],"mapped",[26228]],[[64019,64020],"valid"],[[64021,64021],"mapped",[20958]],[[64022,64022],"mapped",[29482]],[[64023,64023],"mapped",[30410]],[[64024,64024],"mapped",[31036]],[[64025,64025],"mapped",[31070]],[[64026,64026],"mapped",[31077]],[[64027,64027],"mapped",[31119]],[[64028,64028],"mapped",[38742]],[[64029,64029],"mapped",[31934]],[[64030,64030],"mapped",[32701]],[[64031,64031],"valid"],[[64032,64032],"mapped",[34322]],[[64033,64033],"valid"],[[64034,64034],"mapped",[35576]],[[64035,64036],"valid"],[[64037,64037],"mapped",[36920]],[[64038,64038],"mapped",[37117]],[[64039,64041],"valid"],[[64042,64042],"mapped",[39151]],[[64043,64043],"mapped",[39164]],[[64044,64044],"mapped",[39208]],[[64045,64045],"mapped",[40372]],[[64046,64046],"mapped",[37086]],[[64047,64047],"mapped",[38583]],[[64048,64048],"mapped",[20398]],[[64049,64049],"mapped",[20711]],[[64050,64050],"mapped",[20813]],[[64051,64051],"mapped",[21193]],[[64052,64052],"mapped",[21220]],[[64053,64053],"mapped",[21329]],[[64054,64054],"mapped",[21917]],[[64055,64055],"mapped",[22022]],[[64056,64056],"mapped",[22120]],[[64057,64057],"mapped",[22592]],[[64058,64058],"mapped",[22696]],[[64059,64059],"mapped",[23652]],[[64060,64060],"mapped",[23662]],[[64061,64061],"mapped",[24724]],[[64062,64062],"mapped",[24936]],[[64063,64063],"mapped",[24974]],[[64064,64064],"mapped",[25074]],[[64065,64065],"mapped",[25935]],[[64066,64066],"mapped",[26082]],[[64067,64067],"mapped",[26257]],[[64068,64068],"mapped",[26757]],[[64069,64069],"mapped",[28023]],[[64070,64070],"mapped",[28186]],[[64071,64071],"mapped",[28450]],[[64072,64072],"mapped",[29038]],[[64073,64073],"mapped",[29227]],[[64074,64074],"mapped",[29730]],[[64075,64075],"mapped",[30865]],[[64076,64076],"mapped",[31038]],[[64077,64077],"mapped",[31049]],[[64078,64078],"mapped",[31048]],[[64079,64079],"mapped",[31056]],[[64080,64080],"mapped",[31062]],[[64081,64081],"mapped",[31069]],[[64082,64082],"mapped",[31117]],[[64083,64083],"mapped",[31118]],[[64084,64084],"mapped",[31296]],[[64085,64085],"mapped",[31361]],[[64086,64086],"mapped",[31680]],[[64087,64087],"mapped",[32244]],[[64088,64088],"mapped",[32265]],[[64089,64089],"mapped",[32321]],[[64090,64090],"mapped",[32626]],[[64091,64091],"mapped",[32773]],[[64092,64092],"mapped",[33261]],[[64093,64094],"mapped",[33401]],[[64095,64095],"mapped",[33879]],[[64096,64096],"mapped",[35088]],[[64097,64097],"mapped",[35222]],[[64098,64098],"mapped",[35585]],[[64099,64099],"mapped",[35641]],[[64100,64100],"mapped",[36051]],[[64101,64101],"mapped",[36104]],[[64102,64102],"mapped",[36790]],[[64103,64103],"mapped",[36920]],[[64104,64104],"mapped",[38627]],[[64105,64105],"mapped",[38911]],[[64106,64106],"mapped",[38971]],[[64107,64107],"mapped",[24693]],[[64108,64108],"mapped",[148206]],[[64109,64109],"mapped",[33304]],[[64110,64111],"disallowed"],[[64112,64112],"mapped",[20006]],[[64113,64113],"mapped",[20917]],[[64114,64114],"mapped",[20840]],[[64115,64115],"mapped",[20352]],[[64116,64116],"mapped",[20805]],[[64117,64117],"mapped",[20864]],[[64118,64118],"mapped",[21191]],[[64119,64119],"mapped",[21242]],[[64120,64120],"mapped",[21917]],[[64121,64121],"mapped",[21845]],[[64122,64122],"mapped",[21913]],[[64123,64123],"mapped",[21986]],[[64124,64124],"mapped",[22618]],[[64125,64125],"mapped",[22707]],[[64126,64126],"mapped",[22852]],[[64127,64127],"mapped",[22868]],[[64128,64128],"mapped",[23138]],[[64129,64129],"mapped",[23336]],[[64130,64130],"mapped",[24274]],[[64131,64131],"mapped",[24281]],[[64132,64132],"mapped",[24425]],[[64133,64133],"mapped",[24493]],[[64134,64134],"mapped",[24792]],[[64135,64135],"mapped",[24910]],[[64136,64136],"mapped",[24840]],[[64137,64137],"mapped",[24974]],[[64138,64138],"mapped",[24928]],[[64139,64139],"mapped",[25074]],[[64140,64140],"mapped",[25140]],[[64141,64141],"mapped",[25540]],[[64142,64142],"mapped",[25628]],[[64143,64143],"mapped",[25682]],[[64144,64144],"mapped",[25942]],[[64145,64145],"mapped",[26228]],[[64146,64146],"mapped",[26391]],[[64147,64147],"mapped",[26395]],[[64148,64148],"mapped",[26454]],[[64149,64149],"mapped",[27513]],[[64150,64150],"mapped",[27578]],[[64151,64151],"mapped",[27969]],[[64152,64152],"mapped",[28379]],[[64153,64153],"mapped",[28363]],[[64154,64154],"mapped",[28450]],[[64155,64155],"mapped",[28702]],[[64156,64156],"mapped",[29038]],[[64157,64157],"mapped",[30631]],[[64158,64158],"mapped",[29237]],[[64159,64159],"mapped",[29359]],[[64160,64160],"mapped",[29482]],[[64161,64161],"mapped",[29809]],[[64162,64162],"mapped",[29958]],[[64163,64163],"mapped",[30011]],[[64164,64164],"mapped",[30237]],[[64165,64165],"mapped",[30239]],[[64166,64166],"mapped",[30410]],[[64167,64167],"mapped",[30427]],[[64168,64168],"mapped",[30452]],[[64169,64169],"mapped",[30538]],[[64170,64170],"mapped",[30528]],[[64171,64171],"mapped",[30924]],[[64172,64172],"mapped",[31409]],[[64173,64173],"mapped",[31680]],[[64174,64174],"mapped",[31867]],[[64175,64175],"mapped",[32091]],[[64176,64176],"mapped",[32244]],[[64177,64177],"mapped",[32574]],[[64178,64178],"mapped",[32773]],[[64179,64179],"mapped",[33618]],[[64180,64180],"mapped",[33775]],[[64181,64181],"mapped",[34681]],[[64182,64182],"mapped",[35137]],[[64183,64183],"mapped",[35206]],[[64184,64184],"mapped",[35222]],[[64185,64185],"mapped",[35519]],[[64186,64186],"mapped",[35576]],[[64187,64187],"mapped",[35531]],[[64188,64188],"mapped",[35585]],[[64189,64189],"mapped",[35582]],[[64190,64190],"mapped",[35565]],[[64191,64191],"mapped",[35641]],[[64192,64192],"mapped",[35722]],[[64193,64193],"mapped",[36104]],[[64194,64194],"mapped",[36664]],[[64195,64195],"mapped",[36978]],[[64196,64196],"mapped",[37273]],[[64197,64197],"mapped",[37494]],[[64198,64198],"mapped",[38524]],[[64199,64199],"mapped",[38627]],[[64200,64200],"mapped",[38742]],[[64201,64201],"mapped",[38875]],[[64202,64202],"mapped",[38911]],[[64203,64203],"mapped",[38923]],[[64204,64204],"mapped",[38971]],[[64205,64205],"mapped",[39698]],[[64206,64206],"mapped",[40860]],[[64207,64207],"mapped",[141386]],[[64208,64208],"mapped",[141380]],[[64209,64209],"mapped",[144341]],[[64210,64210],"mapped",[15261]],[[64211,64211],"mapped",[16408]],[[64212,64212],"mapped",[16441]],[[64213,64213],"mapped",[152137]],[[64214,64214],"mapped",[154832]],[[64215,64215],"mapped",[163539]],[[64216,64216],"mapped",[40771]],[[64217,64217],"mapped",[40846]],[[64218,64255],"disallowed"],[[64256,64256],"mapped",[102,102]],[[64257,64257],"mapped",[102,105]],[[64258,64258],"mapped",[102,108]],[[64259,64259],"mapped",[102,102,105]],[[64260,64260],"mapped",[102,102,108]],[[64261,64262],"mapped",[115,116]],[[64263,64274],"disallowed"],[[64275,64275],"mapped",[1396,1398]],[[64276,64276],"mapped",[1396,1381]],[[64277,64277],"mapped",[1396,1387]],[[64278,64278],"mapped",[1406,1398]],[[64279,64279],"mapped",[1396,1389]],[[64280,64284],"disallowed"],[[64285,64285],"mapped",[1497,1460]],[[64286,64286],"valid"],[[64287,64287],"mapped",[1522,1463]],[[64288,64288],"mapped",[1506]],[[64289,64289],"mapped",[1488]],[[64290,64290],"mapped",[1491]],[[64291,64291],"mapped",[1492]],[[64292,64292],"mapped",[1499]],[[64293,64293],"mapped",[1500]],[[64294,64294],"mapped",[1501]],[[64295,64295],"mapped",[1512]],[[64296,64296],"mapped",[1514]],[[64297,64297],"disallowed_STD3_mapped",[43]],[[64298,64298],"mapped",[1513,1473]],[[64299,64299],"mapped",[1513,1474]],[[64300,64300],"mapped",[1513,1468,1473]],[[64301,64301],"mapped",[1513,1468,1474]],[[64302,64302],"mapped",[1488,1463]],[[64303,64303],"mapped",[1488,1464]],[[64304,64304],"mapped",[1488,1468]],[[64305,64305],"mapped",[1489,1468]],[[64306,64306],"mapped",[1490,1468]],[[64307,64307],"mapped",[1491,1468]],[[64308,64308],"mapped",[1492,1468]],[[64309,64309],"mapped",[1493,1468]],[[64310,64310],"mapped",[1494,1468]],[[64311,64311],"disallowed"],[[64312,64312],"mapped",[1496,1468]],[[64313,64313],"mapped",[1497,1468]],[[64314,64314],"mapped",[1498,1468]],[[64315,64315],"mapped",[1499,1468]],[[64316,64316],"mapped",[1500,1468]],[[64317,64317],"disallowed"],[[64318,64318],"mapped",[1502,1468]],[[64319,64319],"disallowed"],[[64320,64320],"mapped",[1504,1468]],[[64321,64321],"mapped",[1505,1468]],[[64322,64322],"disallowed"],[[64323,64323],"mapped",[1507,1468]],[[64324,64324],"mapped",[1508,1468]],[[64325,64325],"disallowed"],[[64326,64326],"mapped",[1510,1468]],[[64327,64327],"mapped",[1511,1468]],[[64328,64328],"mapped",[1512,1468]],[[64329,64329],"mapped",[1513,1468]],[[64330,64330],"mapped",[1514,1468]],[[64331,64331],"mapped",[1493,1465]],[[64332,64332],"mapped",[1489,1471]],[[64333,64333],"mapped",[1499,1471]],[[64334,64334],"mapped",[1508,1471]],[[64335,64335],"mapped",[1488,1500]],[[64336,64337],"mapped",[1649]],[[64338,64341],"mapped",[1659]],[[64342,64345],"mapped",[1662]],[[64346,64349],"mapped",[1664]],[[64350,64353],"mapped",[1658]],[[64354,64357],"mapped",[1663]],[[64358,64361],"mapped",[1657]],[[64362,64365],"mapped",[1700]],[[64366,64369],"mapped",[1702]],[[64370,64373],"mapped",[1668]],[[64374,64377],"mapped",[1667]],[[64378,64381],"mapped",[1670]],[[64382,64385],"mapped",[1671]],[[64386,64387],"mapped",[1677]],[[64388,64389],"mapped",[1676]],[[64390,64391],"mapped",[1678]],[[64392,64393],"mapped",[1672]],[[64394,64395],"mapped",[1688]],[[64396,64397],"mapped",[1681]],[[64398,64401],"mapped",[1705]],[[64402,64405],"mapped",[1711]],[[64406,64409],"mapped",[1715]],[[64410,64413],"mapped",[1713]],[[64414,64415],"mapped",[1722]],[[64416,64419],"mapped",[1723]],[[64420,64421],"mapped",[1728]],[[64422,64425],"mapped",[1729]],[[64426,64429],"mapped",[1726]],[[64430,64431],"mapped",[1746]],[[64432,64433],"mapped",[1747]],[[64434,64449],"valid",[],"NV8"],[[64450,64466],"disallowed"],[[64467,64470],"mapped",[1709]],[[64471,64472],"mapped",[1735]],[[64473,64474],"mapped",[1734]],[[64475,64476],"mapped",[1736]],[[64477,64477],"mapped",[1735,1652]],[[64478,64479],"mapped",[1739]],[[64480,64481],"mapped",[1733]],[[64482,64483],"mapped",[1737]],[[64484,64487],"mapped",[1744]],[[64488,64489],"mapped",[1609]],[[64490,64491],"mapped",[1574,1575]],[[64492,64493],"mapped",[1574,1749]],[[64494,64495],"mapped",[1574,1608]],[[64496,64497],"mapped",[1574,1735]],[[64498,64499],"mapped",[1574,1734]],[[64500,64501],"mapped",[1574,1736]],[[64502,64504],"mapped",[1574,1744]],[[64505,64507],"mapped",[1574,1609]],[[64508,64511],"mapped",[1740]],[[64512,64512],"mapped",[1574,1580]],[[64513,64513],"mapped",[1574,1581]],[[64514,64514],"mapped",[1574,1605]],[[64515,64515],"mapped",[1574,1609]],[[64516,64516],"mapped",[1574,1610]],[[64517,64517],"mapped",[1576,1580]],[[64518,64518],"mapped",[1576,1581]],[[64519,64519],"mapped",[1576,1582]],[[64520,64520],"mapped",[1576,1605]],[[64521,64521],"mapped",[1576,1609]],[[64522,64522],"mapped",[1576,1610]],[[64523,64523],"mapped",[1578,1580]],[[64524,64524],"mapped",[1578,1581]],[[64525,64525],"mapped",[1578,1582]],[[64526,64526],"mapped",[1578,1605]],[[64527,64527],"mapped",[1578,1609]],[[64528,64528],"mapped",[1578,1610]],[[64529,64529],"mapped",[1579,1580]],[[64530,64530],"mapped",[1579,1605]],[[64531,64531],"mapped",[1579,1609]],[[64532,64532],"mapped",[1579,1610]],[[64533,64533],"mapped",[1580,1581]],[[64534,64534],"mapped",[1580,1605]],[[64535,64535],"mapped",[1581,1580]],[[64536,64536],"mapped",[1581,1605]],[[64537,64537],"mapped",[1582,1580]],[[64538,64538],"mapped",[1582,1581]],[[64539,64539],"mapped",[1582,1605]],[[64540,64540],"mapped",[1587,1580]],[[64541,64541],"mapped",[1587,1581]],[[64542,64542],"mapped",[1587,1582]],[[64543,64543],"mapped",[1587,1605]],[[64544,64544],"mapped",[1589,1581]],[[64545,64545],"mapped",[1589,1605]],[[64546,64546],"mapped",[1590,1580]],[[64547,64547],"mapped",[1590,1581]],[[64548,64548],"mapped",[1590,1582]],[[64549,64549],"mapped",[1590,1605]],[[64550,64550],"mapped",[1591,1581]],[[64551,64551],"mapped",[1591,1605]],[[64552,64552],"mapped",[1592,1605]],[[64553,64553],"mapped",[1593,1580]],[[64554,64554],"mapped",[1593,1605]],[[64555,64555],"mapped",[1594,1580]],[[64556,64556],"mapped",[1594,1605]],[[64557,64557],"mapped",[1601,1580]],[[64558,64558],"mapped",[1601,1581]],[[64559,64559],"mapped",[1601,1582]],[[64560,64560],"mapped",[1601,1605]],[[64561,64561],"mapped",[1601,1609]],[[64562,64562],"mapped",[1601,1610]],[[64563,64563],"mapped",[1602,1581]],[[64564,64564],"mapped",[1602,1605]],[[64565,64565],"mapped",[1602,1609]],[[64566,64566],"mapped",[1602,1610]],[[64567,64567],"mapped",[1603,1575]],[[64568,64568],"mapped",[1603,1580]],[[64569,64569],"mapped",[1603,1581]],[[64570,64570],"mapped",[1603,1582]],[[64571,64571],"mapped",[1603,1604]],[[64572,64572],"mapped",[1603,1605]],[[64573,64573],"mapped",[1603,1609]],[[64574,64574],"mapped",[1603,1610]],[[64575,64575],"mapped",[1604,1580]],[[64576,64576],"mapped",[1604,1581]],[[64577,64577],"mapped",[1604,1582]],[[64578,64578],"mapped",[1604,1605]],[[64579,64579],"mapped",[1604,1609]],[[64580,64580],"mapped",[1604,1610]],[[64581,64581],"mapped",[1605,1580]],[[64582,64582],"mapped",[1605,1581]],[[64583,64583],"mapped",[1605,1582]],[[64584,64584],"mapped",[1605,1605]],[[64585,64585],"mapped",[1605,1609]],[[64586,64586],"mapped",[1605,1610]],[[64587,64587],"mapped",[1606,1580]],[[64588,64588],"mapped",[1606,1581]],[[64589,64589],"mapped",[1606,1582]],[[64590,64590],"mapped",[1606,1605]],[[64591,64591],"mapped",[1606,1609]],[[64592,64592],"mapped",[1606,1610]],[[64593,64593],"mapped",[1607,1580]],[[64594,64594],"mapped",[1607,1605]],[[64595,64595],"mapped",[1607,1609]],[[64596,64596],"mapped",[1607,1610]],[[64597,64597],"mapped",[1610,1580]],[[64598,64598],"mapped",[1610,1581]],[[64599,64599],"mapped",[1610,1582]],[[64600,64600],"mapped",[1610,1605]],[[64601,64601],"mapped",[1610,1609]],[[64602,64602],"mapped",[1610,1610]],[[64603,64603],"mapped",[1584,1648]],[[64604,64604],"mapped",[1585,1648]],[[64605,64605],"mapped",[1609,1648]],[[64606,64606],"disallowed_STD3_mapped",[32,1612,1617]],[[64607,64607],"disallowed_STD3_mapped",[32,1613,1617]],[[64608,64608],"disallowed_STD3_mapped",[32,1614,1617]],[[64609,64609],"disallowed_STD3_mapped",[32,1615,1617]],[[64610,64610],"disallowed_STD3_mapped",[32,1616,1617]],[[64611,64611],"disallowed_STD3_mapped",[32,1617,1648]],[[64612,64612],"mapped",[1574,1585]],[[64613,64613],"mapped",[1574,1586]],[[64614,64614],"mapped",[1574,1605]],[[64615,64615],"mapped",[1574,1606]],[[64616,64616],"mapped",[1574,1609]],[[64617,64617],"mapped",[1574,1610]],[[64618,64618],"mapped",[1576,1585]],[[64619,64619],"mapped",[1576,1586]],[[64620,64620],"mapped",[1576,1605]],[[64621,64621],"mapped",[1576,1606]],[[64622,64622],"mapped",[1576,1609]],[[64623,64623],"mapped",[1576,1610]],[[64624,64624],"mapped",[1578,1585]],[[64625,64625],"mapped",[1578,1586]],[[64626,64626],"mapped",[1578,1605]],[[64627,64627],"mapped",[1578,1606]],[[64628,64628],"mapped",[1578,1609]],[[64629,64629],"mapped",[1578,1610]],[[64630,64630],"mapped",[1579,1585]],[[64631,64631],"mapped",[1579,1586]],[[64632,64632],"mapped",[1579,1605]],[[64633,64633],"mapped",[1579,1606]],[[64634,64634],"mapped",[1579,1609]],[[64635,64635],"mapped",[1579,1610]],[[64636,64636],"mapped",[1601,1609]],[[64637,64637],"mapped",[1601,1610]],[[64638,64638],"mapped",[1602,1609]],[[64639,64639],"mapped",[1602,1610]],[[64640,64640],"mapped",[1603,1575]],[[64641,64641],"mapped",[1603,1604]],[[64642,64642],"mapped",[1603,1605]],[[64643,64643],"mapped",[1603,1609]],[[64644,64644],"mapped",[1603,1610]],[[64645,64645],"mapped",[1604,1605]],[[64646,64646],"mapped",[1604,1609]],[[64647,64647],"mapped",[1604,1610]],[[64648,64648],"mapped",[1605,1575]],[[64649,64649],"mapped",[1605,1605]],[[64650,64650],"mapped",[1606,1585]],[[64651,64651],"mapped",[1606,1586]],[[64652,64652],"mapped",[1606,1605]],[[64653,64653],"mapped",[1606,1606]],[[64654,64654],"mapped",[1606,1609]],[[64655,64655],"mapped",[1606,1610]],[[64656,64656],"mapped",[1609,1648]],[[64657,64657],"mapped",[1610,1585]],[[64658,64658],"mapped",[1610,1586]],[[64659,64659],"mapped",[1610,1605]],[[64660,64660],"mapped",[1610,1606]],[[64661,64661],"mapped",[1610,1609]],[[64662,64662],"mapped",[1610,1610]],[[64663,64663],"mapped",[1574,1580]],[[64664,64664],"mapped",[1574,1581]],[[64665,64665],"mapped",[1574,1582]],[[64666,64666],"mapped",[1574,1605]],[[64667,64667],"mapped",[1574,1607]],[[64668,64668],"mapped",[1576,1580]],[[64669,64669],"mapped",[1576,1581]],[[64670,64670],"mapped",[1576,1582]],[[64671,64671],"mapped",[1576,1605]],[[64672,64672],"mapped",[1576,1607]],[[64673,64673],"mapped",[1578,1580]],[[64674,64674],"mapped",[1578,1581]],[[64675,64675],"mapped",[1578,1582]],[[64676,64676],"mapped",[1578,1605]],[[64677,64677],"mapped",[1578,1607]],[[64678,64678],"mapped",[1579,1605]],[[64679,64679],"mapped",[1580,1581]],[[64680,64680],"mapped",[1580,1605]],[[64681,64681],"mapped",[1581,1580]],[[64682,64682],"mapped",[1581,1605]],[[64683,64683],"mapped",[1582,1580]],[[64684,64684],"mapped",[1582,1605]],[[64685,64685],"mapped",[1587,1580]],[[64686,64686],"mapped",[1587,1581]],[[64687,64687],"mapped",[1587,1582]],[[64688,64688],"mapped",[1587,1605]],[[64689,64689],"mapped",[1589,1581]],[[64690,64690],"mapped",[1589,1582]],[[64691,64691],"mapped",[1589,1605]],[[64692,64692],"mapped",[1590,1580]],[[64693,64693],"mapped",[1590,1581]],[[64694,64694],"mapped",[1590,1582]],[[64695,64695],"mapped",[1590,1605]],[[64696,64696],"mapped",[1591,1581]],[[64697,64697],"mapped",[1592,1605]],[[64698,64698],"mapped",[1593,1580]],[[64699,64699],"mapped",[1593,1605]],[[64700,64700],"mapped",[1594,1580]],[[64701,64701],"mapped",[1594,1605]],[[64702,64702],"mapped",[1601,1580]],[[64703,64703],"mapped",[1601,1581]],[[64704,64704],"mapped",[1601,1582]],[[64705,64705],"mapped",[1601,1605]],[[64706,64706],"mapped",[1602,1581]],[[64707,64707],"mapped",[1602,1605]],[[64708,64708],"mapped",[1603,1580]],[[64709,64709],"mapped",[1603,1581]],[[64710,64710],"mapped",[1603,1582]],[[64711,64711],"mapped",[1603,1604]],[[64712,64712],"mapped",[1603,1605]],[[64713,64713],"mapped",[1604,1580]],[[64714,64714],"mapped",[1604,1581]],[[64715,64715],"mapped",[1604,1582]],[[64716,64716],"mapped",[1604,1605]],[[64717,64717],"mapped",[1604,1607]],[[64718,64718],"mapped",[1605,1580]],[[64719,64719],"mapped",[1605,1581]],[[64720,64720],"mapped",[1605,1582]],[[64721,64721],"mapped",[1605,1605]],[[64722,64722],"mapped",[1606,1580]],[[64723,64723],"mapped",[1606,1581]],[[64724,64724],"mapped",[1606,1582]],[[64725,64725],"mapped",[1606,1605]],[[64726,64726],"mapped",[1606,1607]],[[64727,64727],"mapped",[1607,1580]],[[64728,64728],"mapped",[1607,1605]],[[64729,64729],"mapped",[1607,1648]],[[64730,64730],"mapped",[1610,1580]],[[64731,64731],"mapped",[1610,1581]],[[64732,64732],"mapped",[1610,1582]],[[64733,64733],"mapped",[1610,1605]],[[64734,64734],"mapped",[1610,1607]],[[64735,64735],"mapped",[1574,1605]],[[64736,64736],"mapped",[1574,1607]],[[64737,64737],"mapped",[1576,1605]],[[64738,64738],"mapped",[1576,1607]],[[64739,64739],"mapped",[1578,1605]],[[64740,64740],"mapped",[1578,1607]],[[64741,64741],"mapped",[1579,1605]],[[64742,64742],"mapped",[1579,1607]],[[64743,64743],"mapped",[1587,1605]],[[64744,64744],"mapped",[1587,1607]],[[64745,64745],"mapped",[1588,1605]],[[64746,64746],"mapped",[1588,1607]],[[64747,64747],"mapped",[1603,1604]],[[64748,64748],"mapped",[1603,1605]],[[64749,64749],"mapped",[1604,1605]],[[64750,64750],"mapped",[1606,1605]],[[64751,64751],"mapped",[1606,1607]],[[64752,64752],"mapped",[1610,1605]],[[64753,64753],"mapped",[1610,1607]],[[64754,64754],"mapped",[1600,1614,1617]],[[64755,64755],"mapped",[1600,1615,1617]],[[64756,64756],"mapped",[1600,1616,1617]],[[64757,64757],"mapped",[1591,1609]],[[64758,64758],"mapped",[1591,1610]],[[64759,64759],"mapped",[1593,1609]],[[64760,64760],"mapped",[1593,1610]],[[64761,64761],"mapped",[1594,1609]],[[64762,64762],"mapped",[1594,1610]],[[64763,64763],"mapped",[1587,1609]],[[64764,64764],"mapped",[1587,1610]],[[64765,64765],"mapped",[1588,1609]],[[64766,64766],"mapped",[1588,1610]],[[64767,64767],"mapped",[1581,1609]],[[64768,64768],"mapped",[1581,1610]],[[64769,64769],"mapped",[1580,1609]],[[64770,64770],"mapped",[1580,1610]],[[64771,64771],"mapped",[1582,1609]],[[64772,64772],"mapped",[1582,1610]],[[64773,64773],"mapped",[1589,1609]],[[64774,64774],"mapped",[1589,1610]],[[64775,64775],"mapped",[1590,1609]],[[64776,64776],"mapped",[1590,1610]],[[64777,64777],"mapped",[1588,1580]],[[64778,64778],"mapped",[1588,1581]],[[64779,64779],"mapped",[1588,1582]],[[64780,64780],"mapped",[1588,1605]],[[64781,64781],"mapped",[1588,1585]],[[64782,64782],"mapped",[1587,1585]],[[64783,64783],"mapped",[1589,1585]],[[64784,64784],"mapped",[1590,1585]],[[64785,64785],"mapped",[1591,1609]],[[64786,64786],"mapped",[1591,1610]],[[64787,64787],"mapped",[1593,1609]],[[64788,64788],"mapped",[1593,1610]],[[64789,64789],"mapped",[1594,1609]],[[64790,64790],"mapped",[1594,1610]],[[64791,64791],"mapped",[1587,1609]],[[64792,64792],"mapped",[1587,1610]],[[64793,64793],"mapped",[1588,1609]],[[64794,64794],"mapped",[1588,1610]],[[64795,64795],"mapped",[1581,1609]],[[64796,64796],"mapped",[1581,1610]],[[64797,64797],"mapped",[1580,1609]],[[64798,64798],"mapped",[1580,1610]],[[64799,64799],"mapped",[1582,1609]],[[64800,64800],"mapped",[1582,1610]],[[64801,64801],"mapped",[1589,1609]],[[64802,64802],"mapped",[1589,1610]],[[64803,64803],"mapped",[1590,1609]],[[64804,64804],"mapped",[1590,1610]],[[64805,64805],"mapped",[1588,1580]],[[64806,64806],"mapped",[1588,1581]],[[64807,64807],"mapped",[1588,1582]],[[64808,64808],"mapped",[1588,1605]],[[64809,64809],"mapped",[1588,1585]],[[64810,64810],"mapped",[1587,1585]],[[64811,64811],"mapped",[1589,1585]],[[64812,64812],"mapped",[1590,1585]],[[64813,64813],"mapped",[1588,1580]],[[64814,64814],"mapped",[1588,1581]],[[64815,64815],"mapped",[1588,1582]],[[64816,64816],"mapped",[1588,1605]],[[64817,64817],"mapped",[1587,1607]],[[64818,64818],"mapped",[1588,1607]],[[64819,64819],"mapped",[1591,1605]],[[64820,64820],"mapped",[1587,1580]],[[64821,64821],"mapped",[1587,1581]],[[64822,64822],"mapped",[1587,1582]],[[64823,64823],"mapped",[1588,1580]],[[64824,64824],"mapped",[1588,1581]],[[64825,64825],"mapped",[1588,1582]],[[64826,64826],"mapped",[1591,1605]],[[64827,64827],"mapped",[1592,1605]],[[64828,64829],"mapped",[1575,1611]],[[64830,64831],"valid",[],"NV8"],[[64832,64847],"disallowed"],[[64848,64848],"mapped",[1578,1580,1605]],[[64849,64850],"mapped",[1578,1581,1580]],[[64851,64851],"mapped",[1578,1581,1605]],[[64852,64852],"mapped",[1578,1582,1605]],[[64853,64853],"mapped",[1578,1605,1580]],[[64854,64854],"mapped",[1578,1605,1581]],[[64855,64855],"mapped",[1578,1605,1582]],[[64856,64857],"mapped",[1580,1605,1581]],[[64858,64858],"mapped",[1581,1605,1610]],[[64859,64859],"mapped",[1581,1605,1609]],[[64860,64860],"mapped",[1587,1581,1580]],[[64861,64861],"mapped",[1587,1580,1581]],[[64862,64862],"mapped",[1587,1580,1609]],[[64863,64864],"mapped",[1587,1605,1581]],[[64865,64865],"mapped",[1587,1605,1580]],[[64866,64867],"mapped",[1587,1605,1605]],[[64868,64869],"mapped",[1589,1581,1581]],[[64870,64870],"mapped",[1589,1605,1605]],[[64871,64872],"mapped",[1588,1581,1605]],[[64873,64873],"mapped",[1588,1580,1610]],[[64874,64875],"mapped",[1588,1605,1582]],[[64876,64877],"mapped",[1588,1605,1605]],[[64878,64878],"mapped",[1590,1581,1609]],[[64879,64880],"mapped",[1590,1582,1605]],[[64881,64882],"mapped",[1591,1605,1581]],[[64883,64883],"mapped",[1591,1605,1605]],[[64884,64884],"mapped",[1591,1605,1610]],[[64885,64885],"mapped",[1593,1580,1605]],[[64886,64887],"mapped",[1593,1605,1605]],[[64888,64888],"mapped",[1593,1605,1609]],[[64889,64889],"mapped",[1594,1605,1605]],[[64890,64890],"mapped",[1594,1605,1610]],[[64891,64891],"mapped",[1594,1605,1609]],[[64892,64893],"mapped",[1601,1582,1605]],[[64894,64894],"mapped",[1602,1605,1581]],[[64895,64895],"mapped",[1602,1605,1605]],[[64896,64896],"mapped",[1604,1581,1605]],[[64897,64897],"mapped",[1604,1581,1610]],[[64898,64898],"mapped",[1604,1581,1609]],[[64899,64900],"mapped",[1604,1580,1580]],[[64901,64902],"mapped",[1604,1582,1605]],[[64903,64904],"mapped",[1604,1605,1581]],[[64905,64905],"mapped",[1605,1581,1580]],[[64906,64906],"mapped",[1605,1581,1605]],[[64907,64907],"mapped",[1605,1581,1610]],[[64908,64908],"mapped",[1605,1580,1581]],[[64909,64909],"mapped",[1605,1580,1605]],[[64910,64910],"mapped",[1605,1582,1580]],[[64911,64911],"mapped",[1605,1582,1605]],[[64912,64913],"disallowed"],[[64914,64914],"mapped",[1605,1580,1582]],[[64915,64915],"mapped",[1607,1605,1580]],[[64916,64916],"mapped",[1607,1605,1605]],[[64917,64917],"mapped",[1606,1581,1605]],[[64918,64918],"mapped",[1606,1581,1609]],[[64919,64920],"mapped",[1606,1580,1605]],[[64921,64921],"mapped",[1606,1580,1609]],[[64922,64922],"mapped",[1606,1605,1610]],[[64923,64923],"mapped",[1606,1605,1609]],[[64924,64925],"mapped",[1610,1605,1605]],[[64926,64926],"mapped",[1576,1582,1610]],[[64927,64927],"mapped",[1578,1580,1610]],[[64928,64928],"mapped",[1578,1580,1609]],[[64929,64929],"mapped",[1578,1582,1610]],[[64930,64930],"mapped",[1578,1582,1609]],[[64931,64931],"mapped",[1578,1605,1610]],[[64932,64932],"mapped",[1578,1605,1609]],[[64933,64933],"mapped",[1580,1605,1610]],[[64934,64934],"mapped",[1580,1581,1609]],[[64935,64935],"mapped",[1580,1605,1609]],[[64936,64936],"mapped",[1587,1582,1609]],[[64937,64937],"mapped",[1589,1581,1610]],[[64938,64938],"mapped",[1588,1581,1610]],[[64939,64939],"mapped",[1590,1581,1610]],[[64940,64940],"mapped",[1604,1580,1610]],[[64941,64941],"mapped",[1604,1605,1610]],[[64942,64942],"mapped",[1610,1581,1610]],[[64943,64943],"mapped",[1610,1580,1610]],[[64944,64944],"mapped",[1610,1605,1610]],[[64945,64945],"mapped",[1605,1605,1610]],[[64946,64946],"mapped",[1602,1605,1610]],[[64947,64947],"mapped",[1606,1581,1610]],[[64948,64948],"mapped",[1602,1605,1581]],[[64949,64949],"mapped",[1604,1581,1605]],[[64950,64950],"mapped",[1593,1605,1610]],[[64951,64951],"mapped",[1603,1605,1610]],[[64952,64952],"mapped",[1606,1580,1581]],[[64953,64953],"mapped",[1605,1582,1610]],[[64954,64954],"mapped",[1604,1580,1605]],[[64955,64955],"mapped",[1603,1605,1605]],[[64956,64956],"mapped",[1604,1580,1605]],[[64957,64957],"mapped",[1606,1580,1581]],[[64958,64958],"mapped",[1580,1581,1610]],[[64959,64959],"mapped",[1581,1580,1610]],[[64960,64960],"mapped",[1605,1580,1610]],[[64961,64961],"mapped",[1601,1605,1610]],[[64962,64962],"mapped",[1576,1581,1610]],[[64963,64963],"mapped",[1603,1605,1605]],[[64964,64964],"mapped",[1593,1580,1605]],[[64965,64965],"mapped",[1589,1605,1605]],[[64966,64966],"mapped",[1587,1582,1610]],[[64967,64967],"mapped",[1606,1580,1610]],[[64968,64975],"disallowed"],[[64976,65007],"disallowed"],[[65008,65008],"mapped",[1589,1604,1746]],[[65009,65009],"mapped",[1602,1604,1746]],[[65010,65010],"mapped",[1575,1604,1604,1607]],[[65011,65011],"mapped",[1575,1603,1576,1585]],[[65012,65012],"mapped",[1605,1581,1605,1583]],[[65013,65013],"mapped",[1589,1604,1593,1605]],[[65014,65014],"mapped",[1585,1587,1608,1604]],[[65015,65015],"mapped",[1593,1604,1610,1607]],[[65016,65016],"mapped",[1608,1587,1604,1605]],[[65017,65017],"mapped",[1589,1604,1609]],[[65018,65018],"disallowed_STD3_mapped",[1589,1604,1609,32,1575,1604,1604,1607,32,1593,1604,1610,1607,32,1608,1587,1604,1605]],[[65019,65019],"disallowed_STD3_mapped",[1580,1604,32,1580,1604,1575,1604,1607]],[[65020,65020],"mapped",[1585,1740,1575,1604]],[[65021,65021],"valid",[],"NV8"],[[65022,65023],"disallowed"],[[65024,65039],"ignored"],[[65040,65040],"disallowed_STD3_mapped",[44]],[[65041,65041],"mapped",[12289]],[[65042,65042],"disallowed"],[[65043,65043],"disallowed_STD3_mapped",[58]],[[65044,65044],"disallowed_STD3_mapped",[59]],[[65045,65045],"disallowed_STD3_mapped",[33]],[[65046,65046],"disallowed_STD3_mapped",[63]],[[65047,65047],"mapped",[12310]],[[65048,65048],"mapped",[12311]],[[65049,65049],"disallowed"],[[65050,65055],"disallowed"],[[65056,65059],"valid"],[[65060,65062],"valid"],[[65063,65069],"valid"],[[65070,65071],"valid"],[[65072,65072],"disallowed"],[[65073,65073],"mapped",[8212]],[[65074,65074],"mapped",[8211]],[[65075,65076],"disallowed_STD3_mapped",[95]],[[65077,65077],"disallowed_STD3_mapped",[40]],[[65078,65078],"disallowed_STD3_mapped",[41]],[[65079,65079],"disallowed_STD3_mapped",[123]],[[65080,65080],"disallowed_STD3_mapped",[125]],[[65081,65081],"mapped",[12308]],[[65082,65082],"mapped",[12309]],[[65083,65083],"mapped",[12304]],[[65084,65084],"mapped",[12305]],[[65085,65085],"mapped",[12298]],[[65086,65086],"mapped",[12299]],[[65087,65087],"mapped",[12296]],[[65088,65088],"mapped",[12297]],[[65089,65089],"mapped",[12300]],[[65090,65090],"mapped",[12301]],[[65091,65091],"mapped",[12302]],[[65092,65092],"mapped",[12303]],[[65093,65094],"valid",[],"NV8"],[[65095,65095],"disallowed_STD3_mapped",[91]],[[65096,65096],"disallowed_STD3_mapped",[93]],[[65097,65100],"disallowed_STD3_mapped",[32,773]],[[65101,65103],"disallowed_STD3_mapped",[95]],[[65104,65104],"disallowed_STD3_mapped",[44]],[[65105,65105],"mapped",[12289]],[[65106,65106],"disallowed"],[[65107,65107],"disallowed"],[[65108,65108],"disallowed_STD3_mapped",[59]],[[65109,65109],"disallowed_STD3_mapped",[58]],[[65110,65110],"disallowed_STD3_mapped",[63]],[[65111,65111],"disallowed_STD3_mapped",[33]],[[65112,65112],"mapped",[8212]],[[65113,65113],"disallowed_STD3_mapped",[40]],[[65114,65114],"disallowed_STD3_mapped",[41]],[[65115,65115],"disallowed_STD3_mapped",[123]],[[65116,65116],"disallowed_STD3_mapped",[125]],[[65117,65117],"mapped",[12308]],[[65118,65118],"mapped",[12309]],[[65119,65119],"disallowed_STD3_mapped",[35]],[[65120,65120],"disallowed_STD3_mapped",[38]],[[65121,65121],"disallowed_STD3_mapped",[42]],[[65122,65122],"disallowed_STD3_mapped",[43]],[[65123,65123],"mapped",[45]],[[65124,65124],"disallowed_STD3_mapped",[60]],[[65125,65125],"disallowed_STD3_mapped",[62]],[[65126,65126],"disallowed_STD3_mapped",[61]],[[65127,65127],"disallowed"],[[65128,65128],"disallowed_STD3_mapped",[92]],[[65129,65129],"disallowed_STD3_mapped",[36]],[[65130,65130],"disallowed_STD3_mapped",[37]],[[65131,65131],"disallowed_STD3_mapped",[64]],[[65132,65135],"disallowed"],[[65136,65136],"disallowed_STD3_mapped",[32,1611]],[[65137,65137],"mapped",[1600,1611]],[[65138,65138],"disallowed_STD3_mapped",[32,1612]],[[65139,65139],"valid"],[[65140,65140],"disallowed_STD3_mapped",[32,1613]],[[65141,65141],"disallowed"],[[65142,65142],"disallowed_STD3_mapped",[32,1614]],[[65143,65143],"mapped",[1600,1614]],[[65144,65144],"disallowed_STD3_mapped",[32,1615]],[[65145,65145],"mapped",[1600,1615]],[[65146,65146],"disallowed_STD3_mapped",[32,1616]],[[65147,65147],"mapped",[1600,1616]],[[65148,65148],"disallowed_STD3_mapped",[32,1617]],[[65149,65149],"mapped",[1600,1617]],[[65150,65150],"disallowed_STD3_mapped",[32,1618]],[[65151,65151],"mapped",[1600,1618]],[[65152,65152],"mapped",[1569]],[[65153,65154],"mapped",[1570]],[[65155,65156],"mapped",[1571]],[[65157,65158],"mapped",[1572]],[[65159,65160],"mapped",[1573]],[[65161,65164],"mapped",[1574]],[[65165,65166],"mapped",[1575]],[[65167,65170],"mapped",[1576]],[[65171,65172],"mapped",[1577]],[[65173,65176],"mapped",[1578]],[[65177,65180],"mapped",[1579]],[[65181,65184],"mapped",[1580]],[[65185,65188],"mapped",[1581]],[[65189,65192],"mapped",[1582]],[[65193,65194],"mapped",[1583]],[[65195,65196],"mapped",[1584]],[[65197,65198],"mapped",[1585]],[[65199,65200],"mapped",[1586]],[[65201,65204],"mapped",[1587]],[[65205,65208],"mapped",[1588]],[[65209,65212],"mapped",[1589]],[[65213,65216],"mapped",[1590]],[[65217,65220],"mapped",[1591]],[[65221,65224],"mapped",[1592]],[[65225,65228],"mapped",[1593]],[[65229,65232],"mapped",[1594]],[[65233,65236],"mapped",[1601]],[[65237,65240],"mapped",[1602]],[[65241,65244],"mapped",[1603]],[[65245,65248],"mapped",[1604]],[[65249,65252],"mapped",[1605]],[[65253,65256],"mapped",[1606]],[[65257,65260],"mapped",[1607]],[[65261,65262],"mapped",[1608]],[[65263,65264],"mapped",[1609]],[[65265,65268],"mapped",[1610]],[[65269,65270],"mapped",[1604,1570]],[[65271,65272],"mapped",[1604,1571]],[[65273,65274],"mapped",[1604,1573]],[[65275,65276],"mapped",[1604,1575]],[[65277,65278],"disallowed"],[[65279,65279],"ignored"],[[65280,65280],"disallowed"],[[65281,65281],"disallowed_STD3_mapped",[33]],[[65282,65282],"disallowed_STD3_mapped",[34]],[[65283,65283],"disallowed_STD3_mapped",[35]],[[65284,65284],"disallowed_STD3_mapped",[36]],[[65285,65285],"disallowed_STD3_mapped",[37]],[[65286,65286],"disallowed_STD3_mapped",[38]],[[65287,65287],"disallowed_STD3_mapped",[39]],[[65288,65288],"disallowed_STD3_mapped",[40]],[[65289,65289],"disallowed_STD3_mapped",[41]],[[65290,65290],"disallowed_STD3_mapped",[42]],[[65291,65291],"disallowed_STD3_mapped",[43]],[[65292,65292],"disallowed_STD3_mapped",[44]],[[65293,65293],"mapped",[45]],[[65294,65294],"mapped",[46]],[[65295,65295],"disallowed_STD3_mapped",[47]],[[65296,65296],"mapped",[48]],[[65297,65297],"mapped",[49]],[[65298,65298],"mapped",[50]],[[65299,65299],"mapped",[51]],[[65300,65300],"mapped",[52]],[[65301,65301],"mapped",[53]],[[65302,65302],"mapped",[54]],[[65303,65303],"mapped",[55]],[[65304,65304],"mapped",[56]],[[65305,65305],"mapped",[57]],[[65306,65306],"disallowed_STD3_mapped",[58]],[[65307,65307],"disallowed_STD3_mapped",[59]],[[65308,65308],"disallowed_STD3_mapped",[60]],[[65309,65309],"disallowed_STD3_mapped",[61]],[[65310,65310],"disallowed_STD3_mapped",[62]],[[65311,65311],"disallowed_STD3_mapped",[63]],[[65312,65312],"disallowed_STD3_mapped",[64]],[[65313,65313],"mapped",[97]],[[65314,65314],"mapped",[98]],[[65315,65315],"mapped",[99]],[[65316,65316],"mapped",[100]],[[65317,65317],"mapped",[101]],[[65318,65318],"mapped",[102]],[[65319,65319],"mapped",[103]],[[65320,65320],"mapped",[104]],[[65321,65321],"mapped",[105]],[[65322,65322],"mapped",[106]],[[65323,65323],"mapped",[107]],[[65324,65324],"mapped",[108]],[[65325,65325],"mapped",[109]],[[65326,65326],"mapped",[110]],[[65327,65327],"mapped",[111]],[[65328,65328],"mapped",[112]],[[65329,65329],"mapped",[113]],[[65330,65330],"mapped",[114]],[[65331,65331],"mapped",[115]],[[65332,65332],"mapped",[116]],[[65333,65333],"mapped",[117]],[[65334,65334],"mapped",[118]],[[65335,65335],"mapped",[119]],[[65336,65336],"mapped",[120]],[[65337,65337],"mapped",[121]],[[65338,65338],"mapped",[122]],[[65339,65339],"disallowed_STD3_mapped",[91]],[[65340,65340],"disallowed_STD3_mapped",[92]],[[65341,65341],"disallowed_STD3_mapped",[93]],[[65342,65342],"disallowed_STD3_mapped",[94]],[[65343,65343],"disallowed_STD3_mapped",[95]],[[65344,65344],"disallowed_STD3_mapped",[96]],[[65345,65345],"mapped",[97]],[[65346,65346],"mapped",[98]],[[65347,65347],"mapped",[99]],[[65348,65348],"mapped",[100]],[[65349,65349],"mapped",[101]],[[65350,65350],"mapped",[102]],[[65351,65351],"mapped",[103]],[[65352,65352],"mapped",[104]],[[65353,65353],"mapped",[105]],[[65354,65354],"mapped",[106]],[[65355,65355],"mapped",[107]],[[65356,65356],"mapped",[108]],[[65357,65357],"mapped",[109]],[[65358,65358],"mapped",[110]],[[65359,65359],"mapped",[111]],[[65360,65360],"mapped",[112]],[[65361,65361],"mapped",[113]],[[65362,65362],"mapped",[114]],[[65363,65363],"mapped",[115]],[[65364,65364],"mapped",[116]],[[65365,65365],"mapped",[117]],[[65366,65366],"mapped",[118]],[[65367,65367],"mapped",[119]],[[65368,65368],"mapped",[120]],[[65369,65369],"mapped",[121]],[[65370,65370],"mapped",[122]],[[65371,65371],"disallowed_STD3_mapped",[123]],[[65372,65372],"disallowed_STD3_mapped",[124]],[[65373,65373],"disallowed_STD3_mapped",[125]],[[65374,65374],"disallowed_STD3_mapped",[126]],[[65375,65375],"mapped",[10629]],[[65376,65376],"mapped",[10630]],[[65377,65377],"mapped",[46]],[[65378,65378],"mapped",[12300]],[[65379,65379],"mapped",[12301]],[[65380,65380],"mapped",[12289]],[[65381,65381],"mapped",[12539]],[[65382,65382],"mapped",[12530]],[[65383,65383],"mapped",[12449]],[[65384,65384],"mapped",[12451]],[[65385,65385],"mapped",[12453]],[[65386,65386],"mapped",[12455]],[[65387,65387],"mapped",[12457]],[[65388,65388],"mapped",[12515]],[[65389,65389],"mapped",[12517]],[[65390,65390],"mapped",[12519]],[[65391,65391],"mapped",[12483]],[[65392,65392],"mapped",[12540]],[[65393,65393],"mapped",[12450]],[[65394,65394],"mapped",[12452]],[[65395,65395],"mapped",[12454]],[[65396,65396],"mapped",[12456]],[[65397,65397],"mapped",[12458]],[[65398,65398],"mapped",[12459]],[[65399,65399],"mapped",[12461]],[[65400,65400],"mapped",[12463]],[[65401,65401],"mapped",[12465]],[[65402,65402],"mapped",[12467]],[[65403,65403],"mapped",[12469]],[[65404,65404],"mapped",[12471]],[[65405,65405],"mapped",[12473]],[[65406,65406],"mapped",[12475]],[[65407,65407],"mapped",[12477]],[[65408,65408],"mapped",[12479]],[[65409,65409],"mapped",[12481]],[[65410,65410],"mapped",[12484]],[[65411,65411],"mapped",[12486]],[[65412,65412],"mapped",[12488]],[[65413,65413],"mapped",[12490]],[[65414,65414],"mapped",[12491]],[[65415,65415],"mapped",[12492]],[[65416,65416],"mapped",[12493]],[[65417,65417],"mapped",[12494]],[[65418,65418],"mapped",[12495]],[[65419,65419],"mapped",[12498]],[[65420,65420],"mapped",[12501]],[[65421,65421],"mapped",[12504]],[[65422,65422],"mapped",[12507]],[[65423,65423],"mapped",[12510]],[[65424,65424],"mapped",[12511]],[[65425,65425],"mapped",[12512]],[[65426,65426],"mapped",[12513]],[[65427,65427],"mapped",[12514]],[[65428,65428],"mapped",[12516]],[[65429,65429],"mapped",[12518]],[[65430,65430],"mapped",[12520]],[[65431,65431],"mapped",[12521]],[[65432,65432],"mapped",[12522]],[[65433,65433],"mapped",[12523]],[[65434,65434],"mapped",[12524]],[[65435,65435],"mapped",[12525]],[[65436,65436],"mapped",[12527]],[[65437,65437],"mapped",[12531]],[[65438,65438],"mapped",[12441]],[[65439,65439],"mapped",[12442]],[[65440,65440],"disallowed"],[[65441,65441],"mapped",[4352]],[[65442,65442],"mapped",[4353]],[[65443,65443],"mapped",[4522]],[[65444,65444],"mapped",[4354]],[[65445,65445],"mapped",[4524]],[[65446,65446],"mapped",[4525]],[[65447,65447],"mapped",[4355]],[[65448,65448],"mapped",[4356]],[[65449,65449],"mapped",[4357]],[[65450,65450],"mapped",[4528]],[[65451,65451],"mapped",[4529]],[[65452,65452],"mapped",[4530]],[[65453,65453],"mapped",[4531]],[[65454,65454],"mapped",[4532]],[[65455,65455],"mapped",[4533]],[[65456,65456],"mapped",[4378]],[[65457,65457],"mapped",[4358]],[[65458,65458],"mapped",[4359]],[[65459,65459],"mapped",[4360]],[[65460,65460],"mapped",[4385]],[[65461,65461],"mapped",[4361]],[[65462,65462],"mapped",[4362]],[[65463,65463],"mapped",[4363]],[[65464,65464],"mapped",[4364]],[[65465,65465],"mapped",[4365]],[[65466,65466],"mapped",[4366]],[[65467,65467],"mapped",[4367]],[[65468,65468],"mapped",[4368]],[[65469,65469],"mapped",[4369]],[[65470,65470],"mapped",[4370]],[[65471,65473],"disallowed"],[[65474,65474],"mapped",[4449]],[[65475,65475],"mapped",[4450]],[[65476,65476],"mapped",[4451]],[[65477,65477],"mapped",[4452]],[[65478,65478],"mapped",[4453]],[[65479,65479],"mapped",[4454]],[[65480,65481],"disallowed"],[[65482,65482],"mapped",[4455]],[[65483,65483],"mapped",[4456]],[[65484,65484],"mapped",[4457]],[[65485,65485],"mapped",[4458]],[[65486,65486],"mapped",[4459]],[[65487,65487],"mapped",[4460]],[[65488,65489],"disallowed"],[[65490,65490],"mapped",[4461]],[[65491,65491],"mapped",[4462]],[[65492,65492],"mapped",[4463]],[[65493,65493],"mapped",[4464]],[[65494,65494],"mapped",[4465]],[[65495,65495],"mapped",[4466]],[[65496,65497],"disallowed"],[[65498,65498],"mapped",[4467]],[[65499,65499],"mapped",[4468]],[[65500,65500],"mapped",[4469]],[[65501,65503],"disallowed"],[[65504,65504],"mapped",[162]],[[65505,65505],"mapped",[163]],[[65506,65506],"mapped",[172]],[[65507,65507],"disallowed_STD3_mapped",[32,772]],[[65508,65508],"mapped",[166]],[[65509,65509],"mapped",[165]],[[65510,65510],"mapped",[8361]],[[65511,65511],"disallowed"],[[65512,65512],"mapped",[9474]],[[65513,65513],"mapped",[8592]],[[65514,65514],"mapped",[8593]],[[65515,65515],"mapped",[8594]],[[65516,65516],"mapped",[8595]],[[65517,65517],"mapped",[9632]],[[65518,65518],"mapped",[9675]],[[65519,65528],"disallowed"],[[65529,65531],"disallowed"],[[65532,65532],"disallowed"],[[65533,65533],"disallowed"],[[65534,65535],"disallowed"],[[65536,65547],"valid"],[[65548,65548],"disallowed"],[[65549,65574],"valid"],[[65575,65575],"disallowed"],[[65576,65594],"valid"],[[65595,65595],"disallowed"],[[65596,65597],"valid"],[[65598,65598],"disallowed"],[[65599,65613],"valid"],[[65614,65615],"disallowed"],[[65616,65629],"valid"],[[65630,65663],"disallowed"],[[65664,65786],"valid"],[[65787,65791],"disallowed"],[[65792,65794],"valid",[],"NV8"],[[65795,65798],"disallowed"],[[65799,65843],"valid",[],"NV8"],[[65844,65846],"disallowed"],[[65847,65855],"valid",[],"NV8"],[[65856,65930],"valid",[],"NV8"],[[65931,65932],"valid",[],"NV8"],[[65933,65935],"disallowed"],[[65936,65947],"valid",[],"NV8"],[[65948,65951],"disallowed"],[[65952,65952],"valid",[],"NV8"],[[65953,65999],"disallowed"],[[66000,66044],"valid",[],"NV8"],[[66045,66045],"valid"],[[66046,66175],"disallowed"],[[66176,66204],"valid"],[[66205,66207],"disallowed"],[[66208,66256],"valid"],[[66257,66271],"disallowed"],[[66272,66272],"valid"],[[66273,66299],"valid",[],"NV8"],[[66300,66303],"disallowed"],[[66304,66334],"valid"],[[66335,66335],"valid"],[[66336,66339],"valid",[],"NV8"],[[66340,66351],"disallowed"],[[66352,66368],"valid"],[[66369,66369],"valid",[],"NV8"],[[66370,66377],"valid"],[[66378,66378],"valid",[],"NV8"],[[66379,66383],"disallowed"],[[66384,66426],"valid"],[[66427,66431],"disallowed"],[[66432,66461],"valid"],[[66462,66462],"disallowed"],[[66463,66463],"valid",[],"NV8"],[[66464,66499],"valid"],[[66500,66503],"disallowed"],[[66504,66511],"valid"],[[66512,66517],"valid",[],"NV8"],[[66518,66559],"disallowed"],[[66560,66560],"mapped",[66600]],[[66561,66561],"mapped",[66601]],[[66562,66562],"mapped",[66602]],[[66563,66563],"mapped",[66603]],[[66564,66564],"mapped",[66604]],[[66565,66565],"mapped",[66605]],[[66566,66566],"mapped",[66606]],[[66567,66567],"mapped",[66607]],[[66568,66568],"mapped",[66608]],[[66569,66569],"mapped",[66609]],[[66570,66570],"mapped",[66610]],[[66571,66571],"mapped",[66611]],[[66572,66572],"mapped",[66612]],[[66573,66573],"mapped",[66613]],[[66574,66574],"mapped",[66614]],[[66575,66575],"mapped",[66615]],[[66576,66576],"mapped",[66616]],[[66577,66577],"mapped",[66617]],[[66578,66578],"mapped",[66618]],[[66579,66579],"mapped",[66619]],[[66580,66580],"mapped",[66620]],[[66581,66581],"mapped",[66621]],[[66582,66582],"mapped",[66622]],[[66583,66583],"mapped",[66623]],[[66584,66584],"mapped",[66624]],[[66585,66585],"mapped",[66625]],[[66586,66586],"mapped",[66626]],[[66587,66587],"mapped",[66627]],[[66588,66588],"mapped",[66628]],[[66589,66589],"mapped",[66629]],[[66590,66590],"mapped",[66630]],[[66591,66591],"mapped",[66631]],[[66592,66592],"mapped",[66632]],[[66593,66593],"mapped",[66633]],[[66594,66594],"mapped",[66634]],[[66595,66595],"mapped",[66635]],[[66596,66596],"mapped",[66636]],[[66597,66597],"mapped",[66637]],[[66598,66598],"mapped",[66638]],[[66599,66599],"mapped",[66639]],[[66600,66637],"valid"],[[66638,66717],"valid"],[[66718,66719],"disallowed"],[[66720,66729],"valid"],[[66730,66815],"disallowed"],[[66816,66855],"valid"],[[66856,66863],"disallowed"],[[66864,66915],"valid"],[[66916,66926],"disallowed"],[[66927,66927],"valid",[],"NV8"],[[66928,67071],"disallowed"],[[67072,67382],"valid"],[[67383,67391],"disallowed"],[[67392,67413],"valid"],[[67414,67423],"disallowed"],[[67424,67431],"valid"],[[67432,67583],"disallowed"],[[67584,67589],"valid"],[[67590,67591],"disallowed"],[[67592,67592],"valid"],[[67593,67593],"disallowed"],[[67594,67637],"valid"],[[67638,67638],"disallowed"],[[67639,67640],"valid"],[[67641,67643],"disallowed"],[[67644,67644],"valid"],[[67645,67646],"disallowed"],[[67647,67647],"valid"],[[67648,67669],"valid"],[[67670,67670],"disallowed"],[[67671,67679],"valid",[],"NV8"],[[67680,67702],"valid"],[[67703,67711],"valid",[],"NV8"],[[67712,67742],"valid"],[[67743,67750],"disallowed"],[[67751,67759],"valid",[],"NV8"],[[67760,67807],"disallowed"],[[67808,67826],"valid"],[[67827,67827],"disallowed"],[[67828,67829],"valid"],[[67830,67834],"disallowed"],[[67835,67839],"valid",[],"NV8"],[[67840,67861],"valid"],[[67862,67865],"valid",[],"NV8"],[[67866,67867],"valid",[],"NV8"],[[67868,67870],"disallowed"],[[67871,67871],"valid",[],"NV8"],[[67872,67897],"valid"],[[67898,67902],"disallowed"],[[67903,67903],"valid",[],"NV8"],[[67904,67967],"disallowed"],[[67968,68023],"valid"],[[68024,68027],"disallowed"],[[68028,68029],"valid",[],"NV8"],[[68030,68031],"valid"],[[68032,68047],"valid",[],"NV8"],[[68048,68049],"disallowed"],[[68050,68095],"valid",[],"NV8"],[[68096,68099],"valid"],[[68100,68100],"disallowed"],[[68101,68102],"valid"],[[68103,68107],"disallowed"],[[68108,68115],"valid"],[[68116,68116],"disallowed"],[[68117,68119],"valid"],[[68120,68120],"disallowed"],[[68121,68147],"valid"],[[68148,68151],"disallowed"],[[68152,68154],"valid"],[[68155,68158],"disallowed"],[[68159,68159],"valid"],[[68160,68167],"valid",[],"NV8"],[[68168,68175],"disallowed"],[[68176,68184],"valid",[],"NV8"],[[68185,68191],"disallowed"],[[68192,68220],"valid"],[[68221,68223],"valid",[],"NV8"],[[68224,68252],"valid"],[[68253,68255],"valid",[],"NV8"],[[68256,68287],"disallowed"],[[68288,68295],"valid"],[[68296,68296],"valid",[],"NV8"],[[68297,68326],"valid"],[[68327,68330],"disallowed"],[[68331,68342],"valid",[],"NV8"],[[68343,68351],"disallowed"],[[68352,68405],"valid"],[[68406,68408],"disallowed"],[[68409,68415],"valid",[],"NV8"],[[68416,68437],"valid"],[[68438,68439],"disallowed"],[[68440,68447],"valid",[],"NV8"],[[68448,68466],"valid"],[[68467,68471],"disallowed"],[[68472,68479],"valid",[],"NV8"],[[68480,68497],"valid"],[[68498,68504],"disallowed"],[[68505,68508],"valid",[],"NV8"],[[68509,68520],"disallowed"],[[68521,68527],"valid",[],"NV8"],[[68528,68607],"disallowed"],[[68608,68680],"valid"],[[68681,68735],"disallowed"],[[68736,68736],"mapped",[68800]],[[68737,68737],"mapped",[68801]],[[68738,68738],"mapped",[68802]],[[68739,68739],"mapped",[68803]],[[68740,68740],"mapped",[68804]],[[68741,68741],"mapped",[68805]],[[68742,68742],"mapped",[68806]],[[68743,68743],"mapped",[68807]],[[68744,68744],"mapped",[68808]],[[68745,68745],"mapped",[68809]],[[68746,68746],"mapped",[68810]],[[68747,68747],"mapped",[68811]],[[68748,68748],"mapped",[68812]],[[68749,68749],"mapped",[68813]],[[68750,68750],"mapped",[68814]],[[68751,68751],"mapped",[68815]],[[68752,68752],"mapped",[68816]],[[68753,68753],"mapped",[68817]],[[68754,68754],"mapped",[68818]],[[68755,68755],"mapped",[68819]],[[68756,68756],"mapped",[68820]],[[68757,68757],"mapped",[68821]],[[68758,68758],"mapped",[68822]],[[68759,68759],"mapped",[68823]],[[68760,68760],"mapped",[68824]],[[68761,68761],"mapped",[68825]],[[68762,68762],"mapped",[68826]],[[68763,68763],"mapped",[68827]],[[68764,68764],"mapped",[68828]],[[68765,68765],"mapped",[68829]],[[68766,68766],"mapped",[68830]],[[68767,68767],"mapped",[68831]],[[68768,68768],"mapped",[68832]],[[68769,68769],"mapped",[68833]],[[68770,68770],"mapped",[68834]],[[68771,68771],"mapped",[68835]],[[68772,68772],"mapped",[68836]],[[68773,68773],"mapped",[68837]],[[68774,68774],"mapped",[68838]],[[68775,68775],"mapped",[68839]],[[68776,68776],"mapped",[68840]],[[68777,68777],"mapped",[68841]],[[68778,68778],"mapped",[68842]],[[68779,68779],"mapped",[68843]],[[68780,68780],"mapped",[68844]],[[68781,68781],"mapped",[68845]],[[68782,68782],"mapped",[68846]],[[68783,68783],"mapped",[68847]],[[68784,68784],"mapped",[68848]],[[68785,68785],"mapped",[68849]],[[68786,68786],"mapped",[68850]],[[68787,68799],"disallowed"],[[68800,68850],"valid"],[[68851,68857],"disallowed"],[[68858,68863],"valid",[],"NV8"],[[68864,69215],"disallowed"],[[69216,69246],"valid",[],"NV8"],[[69247,69631],"disallowed"],[[69632,69702],"valid"],[[69703,69709],"valid",[],"NV8"],[[69710,69713],"disallowed"],[[69714,69733],"valid",[],"NV8"],[[69734,69743],"valid"],[[69744,69758],"disallowed"],[[69759,69759],"valid"],[[69760,69818],"valid"],[[69819,69820],"valid",[],"NV8"],[[69821,69821],"disallowed"],[[69822,69825],"valid",[],"NV8"],[[69826,69839],"disallowed"],[[69840,69864],"valid"],[[69865,69871],"disallowed"],[[69872,69881],"valid"],[[69882,69887],"disallowed"],[[69888,69940],"valid"],[[69941,69941],"disallowed"],[[69942,69951],"valid"],[[69952,69955],"valid",[],"NV8"],[[69956,69967],"disallowed"],[[69968,70003],"valid"],[[70004,70005],"valid",[],"NV8"],[[70006,70006],"valid"],[[70007,70015],"disallowed"],[[70016,70084],"valid"],[[70085,70088],"valid",[],"NV8"],[[70089,70089],"valid",[],"NV8"],[[70090,70092],"valid"],[[70093,70093],"valid",[],"NV8"],[[70094,70095],"disallowed"],[[70096,70105],"valid"],[[70106,70106],"valid"],[[70107,70107],"valid",[],"NV8"],[[70108,70108],"valid"],[[70109,70111],"valid",[],"NV8"],[[70112,70112],"disallowed"],[[70113,70132],"valid",[],"NV8"],[[70133,70143],"disallowed"],[[70144,70161],"valid"],[[70162,70162],"disallowed"],[[70163,70199],"valid"],[[70200,70205],"valid",[],"NV8"],[[70206,70271],"disallowed"],[[70272,70278],"valid"],[[70279,70279],"disallowed"],[[70280,70280],"valid"],[[70281,70281],"disallowed"],[[70282,70285],"valid"],[[70286,70286],"disallowed"],[[70287,70301],"valid"],[[70302,70302],"disallowed"],[[70303,70312],"valid"],[[70313,70313],"valid",[],"NV8"],[[70314,70319],"disallowed"],[[70320,70378],"valid"],[[70379,70383],"disallowed"],[[70384,70393],"valid"],[[70394,70399],"disallowed"],[[70400,70400],"valid"],[[70401,70403],"valid"],[[70404,70404],"disallowed"],[[70405,70412],"valid"],[[70413,70414],"disallowed"],[[70415,70416],"valid"],[[70417,70418],"disallowed"],[[70419,70440],"valid"],[[70441,70441],"disallowed"],[[70442,70448],"valid"],[[70449,70449],"disallowed"],[[70450,70451],"valid"],[[70452,70452],"disallowed"],[[70453,70457],"valid"],[[70458,70459],"disallowed"],[[70460,70468],"valid"],[[70469,70470],"disallowed"],[[70471,70472],"valid"],[[70473,70474],"disallowed"],[[70475,70477],"valid"],[[70478,70479],"disallowed"],[[70480,70480],"valid"],[[70481,70486],"disallowed"],[[70487,70487],"valid"],[[70488,70492],"disallowed"],[[70493,70499],"valid"],[[70500,70501],"disallowed"],[[70502,70508],"valid"],[[70509,70511],"disallowed"],[[70512,70516],"valid"],[[70517,70783],"disallowed"],[[70784,70853],"valid"],[[70854,70854],"valid",[],"NV8"],[[70855,70855],"valid"],[[70856,70863],"disallowed"],[[70864,70873],"valid"],[[70874,71039],"disallowed"],[[71040,71093],"valid"],[[71094,71095],"disallowed"],[[71096,71104],"valid"],[[71105,71113],"valid",[],"NV8"],[[71114,71127],"valid",[],"NV8"],[[71128,71133],"valid"],[[71134,71167],"disallowed"],[[71168,71232],"valid"],[[71233,71235],"valid",[],"NV8"],[[71236,71236],"valid"],[[71237,71247],"disallowed"],[[71248,71257],"valid"],[[71258,71295],"disallowed"],[[71296,71351],"valid"],[[71352,71359],"disallowed"],[[71360,71369],"valid"],[[71370,71423],"disallowed"],[[71424,71449],"valid"],[[71450,71452],"disallowed"],[[71453,71467],"valid"],[[71468,71471],"disallowed"],[[71472,71481],"valid"],[[71482,71487],"valid",[],"NV8"],[[71488,71839],"disallowed"],[[71840,71840],"mapped",[71872]],[[71841,71841],"mapped",[71873]],[[71842,71842],"mapped",[71874]],[[71843,71843],"mapped",[71875]],[[71844,71844],"mapped",[71876]],[[71845,71845],"mapped",[71877]],[[71846,71846],"mapped",[71878]],[[71847,71847],"mapped",[71879]],[[71848,71848],"mapped",[71880]],[[71849,71849],"mapped",[71881]],[[71850,71850],"mapped",[71882]],[[71851,71851],"mapped",[71883]],[[71852,71852],"mapped",[71884]],[[71853,71853],"mapped",[71885]],[[71854,71854],"mapped",[71886]],[[71855,71855],"mapped",[71887]],[[71856,71856],"mapped",[71888]],[[71857,71857],"mapped",[71889]],[[71858,71858],"mapped",[71890]],[[71859,71859],"mapped",[71891]],[[71860,71860],"mapped",[71892]],[[71861,71861],"mapped",[71893]],[[71862,71862],"mapped",[71894]],[[71863,71863],"mapped",[71895]],[[71864,71864],"mapped",[71896]],[[71865,71865],"mapped",[71897]],[[71866,71866],"mapped",[71898]],[[71867,71867],"mapped",[71899]],[[71868,71868],"mapped",[71900]],[[71869,71869],"mapped",[71901]],[[71870,71870],"mapped",[71902]],[[71871,71871],"mapped",[71903]],[[71872,71913],"valid"],[[71914,71922],"valid",[],"NV8"],[[71923,71934],"disallowed"],[[71935,71935],"valid"],[[71936,72383],"disallowed"],[[72384,72440],"valid"],[[72441,73727],"disallowed"],[[73728,74606],"valid"],[[74607,74648],"valid"],[[74649,74649],"valid"],[[74650,74751],"disallowed"],[[74752,74850],"valid",[],"NV8"],[[74851,74862],"valid",[],"NV8"],[[74863,74863],"disallowed"],[[74864,74867],"valid",[],"NV8"],[[74868,74868],"valid",[],"NV8"],[[74869,74879],"disallowed"],[[74880,75075],"valid"],[[75076,77823],"disallowed"],[[77824,78894],"valid"],[[78895,82943],"disallowed"],[[82944,83526],"valid"],[[83527,92159],"disallowed"],[[92160,92728],"valid"],[[92729,92735],"disallowed"],[[92736,92766],"valid"],[[92767,92767],"disallowed"],[[92768,92777],"valid"],[[92778,92781],"disallowed"],[[92782,92783],"valid",[],"NV8"],[[92784,92879],"disallowed"],[[92880,92909],"valid"],[[92910,92911],"disallowed"],[[92912,92916],"valid"],[[92917,92917],"valid",[],"NV8"],[[92918,92927],"disallowed"],[[92928,92982],"valid"],[[92983,92991],"valid",[],"NV8"],[[92992,92995],"valid"],[[92996,92997],"valid",[],"NV8"],[[92998,93007],"disallowed"],[[93008,93017],"valid"],[[93018,93018],"disallowed"],[[93019,93025],"valid",[],"NV8"],[[93026,93026],"disallowed"],[[93027,93047],"valid"],[[93048,93052],"disallowed"],[[93053,93071],"valid"],[[93072,93951],"disallowed"],[[93952,94020],"valid"],[[94021,94031],"disallowed"],[[94032,94078],"valid"],[[94079,94094],"disallowed"],[[94095,94111],"valid"],[[94112,110591],"disallowed"],[[110592,110593],"valid"],[[110594,113663],"disallowed"],[[113664,113770],"valid"],[[113771,113775],"disallowed"],[[113776,113788],"valid"],[[113789,113791],"disallowed"],[[113792,113800],"valid"],[[113801,113807],"disallowed"],[[113808,113817],"valid"],[[113818,113819],"disallowed"],[[113820,113820],"valid",[],"NV8"],[[113821,113822],"valid"],[[113823,113823],"valid",[],"NV8"],[[113824,113827],"ignored"],[[113828,118783],"disallowed"],[[118784,119029],"valid",[],"NV8"],[[119030,119039],"disallowed"],[[119040,119078],"valid",[],"NV8"],[[119079,119080],"disallowed"],[[119081,119081],"valid",[],"NV8"],[[119082,119133],"valid",[],"NV8"],[[119134,119134],"mapped",[119127,119141]],[[119135,119135],"mapped",[119128,119141]],[[119136,119136],"mapped",[119128,119141,119150]],[[119137,119137],"mapped",[119128,119141,119151]],[[119138,119138],"mapped",[119128,119141,119152]],[[119139,119139],"mapped",[119128,119141,119153]],[[119140,119140],"mapped",[119128,119141,119154]],[[119141,119154],"valid",[],"NV8"],[[119155,119162],"disallowed"],[[119163,119226],"valid",[],"NV8"],[[119227,119227],"mapped",[119225,119141]],[[119228,119228],"mapped",[119226,119141]],[[119229,119229],"mapped",[119225,119141,119150]],[[119230,119230],"mapped",[119226,119141,119150]],[[119231,119231],"mapped",[119225,119141,119151]],[[119232,119232],"mapped",[119226,119141,119151]],[[119233,119261],"valid",[],"NV8"],[[119262,119272],"valid",[],"NV8"],[[119273,119295],"disallowed"],[[119296,119365],"valid",[],"NV8"],[[119366,119551],"disallowed"],[[119552,119638],"valid",[],"NV8"],[[119639,119647],"disallowed"],[[119648,119665],"valid",[],"NV8"],[[119666,119807],"disallowed"],[[119808,119808],"mapped",[97]],[[119809,119809],"mapped",[98]],[[119810,119810],"mapped",[99]],[[119811,119811],"mapped",[100]],[[119812,119812],"mapped",[101]],[[119813,119813],"mapped",[102]],[[119814,119814],"mapped",[103]],[[119815,119815],"mapped",[104]],[[119816,119816],"mapped",[105]],[[119817,119817],"mapped",[106]],[[119818,119818],"mapped",[107]],[[119819,119819],"mapped",[108]],[[119820,119820],"mapped",[109]],[[119821,119821],"mapped",[110]],[[119822,119822],"mapped",[111]],[[119823,119823],"mapped",[112]],[[119824,119824],"mapped",[113]],[[119825,119825],"mapped",[114]],[[119826,119826],"mapped",[115]],[[119827,119827],"mapped",[116]],[[119828,119828],"mapped",[117]],[[119829,119829],"mapped",[118]],[[119830,119830],"mapped",[119]],[[119831,119831],"mapped",[120]],[[119832,119832],"mapped",[121]],[[119833,119833],"mapped",[122]],[[119834,119834],"mapped",[97]],[[119835,119835],"mapped",[98]],[[119836,119836],"mapped",[99]],[[119837,119837],"mapped",[100]],[[119838,119838],"mapped",[101]],[[119839,119839],"mapped",[102]],[[119840,119840],"mapped",[103]],[[119841,119841],"mapped",[104]],[[119842,119842],"mapped",[105]],[[119843,119843],"mapped",[106]],[[119844,119844],"mapped",[107]],[[119845,119845],"mapped",[108]],[[119846,119846],"mapped",[109]],[[119847,119847],"mapped",[110]],[[119848,119848],"mapped",[111]],[[119849,119849],"mapped",[112]],[[119850,119850],"mapped",[113]],[[119851,119851],"mapped",[114]],[[119852,119852],"mapped",[115]],[[119853,119853],"mapped",[116]],[[119854,119854],"mapped",[117]],[[119855,119855],"mapped",[118]],[[119856,119856],"mapped",[119]],[[119857,119857],"mapped",[120]],[[119858,119858],"mapped",[121]],[[119859,119859],"mapped",[122]],[[119860,119860],"mapped",[97]],[[119861,119861],"mapped",[98]],[[119862,119862],"mapped",[99]],[[119863,119863],"mapped",[100]],[[119864,119864],"mapped",[101]],[[119865,119865],"mapped",[102]],[[119866,119866],"mapped",[103]],[[119867,119867],"mapped",[104]],[[119868,119868],"mapped",[105]],[[119869,119869],"mapped",[106]],[[119870,119870],"mapped",[107]],[[119871,119871],"mapped",[108]],[[119872,119872],"mapped",[109]],[[119873,119873],"mapped",[110]],[[119874,119874],"mapped",[111]],[[119875,119875],"mapped",[112]],[[119876,119876],"mapped",[113]],[[119877,119877],"mapped",[114]],[[119878,119878],"mapped",[115]],[[119879,119879],"mapped",[116]],[[119880,119880],"mapped",[117]],[[119881,119881],"mapped",[118]],[[119882,119882],"mapped",[119]],[[119883,119883],"mapped",[120]],[[119884,119884],"mapped",[121]],[[119885,119885],"mapped",[122]],[[119886,119886],"mapped",[97]],[[119887,119887],"mapped",[98]],[[119888,119888],"mapped",[99]],[[119889,119889],"mapped",[100]],[[119890,119890],"mapped",[101]],[[119891,119891],"mapped",[102]],[[119892,119892],"mapped",[103]],[[119893,119893],"disallowed"],[[119894,119894],"mapped",[105]],[[119895,119895],"mapped",[106]],[[119896,119896],"mapped",[107]],[[119897,119897],"mapped",[108]],[[119898,119898],"mapped",[109]],[[119899,119899],"mapped",[110]],[[119900,119900],"mapped",[111]],[[119901,119901],"mapped",[112]],[[119902,119902],"mapped",[113]],[[119903,119903],"mapped",[114]],[[119904,119904],"mapped",[115]],[[119905,119905],"mapped",[116]],[[119906,119906],"mapped",[117]],[[119907,119907],"mapped",[118]],[[119908,119908],"mapped",[119]],[[119909,119909],"mapped",[120]],[[119910,119910],"mapped",[121]],[[119911,119911],"mapped",[122]],[[119912,119912],"mapped",[97]],[[119913,119913],"mapped",[98]],[[119914,119914],"mapped",[99]],[[119915,119915],"mapped",[100]],[[119916,119916],"mapped",[101]],[[119917,119917],"mapped",[102]],[[119918,119918],"mapped",[103]],[[119919,119919],"mapped",[104]],[[119920,119920],"mapped",[105]],[[119921,119921],"mapped",[106]],[[119922,119922],"mapped",[107]],[[119923,119923],"mapped",[108]],[[119924,119924],"mapped",[109]],[[119925,119925],"mapped",[110]],[[119926,119926],"mapped",[111]],[[119927,119927],"mapped",[112]],[[119928,119928],"mapped",[113]],[[119929,119929],"mapped",[114]],[[119930,119930],"mapped",[115]],[[119931,119931],"mapped",[116]],[[119932,119932],"mapped",[117]],[[119933,119933],"mapped",[118]],[[119934,119934],"mapped",[119]],[[119935,119935],"mapped",[120]],[[119936,119936],"mapped",[121]],[[119937,119937],"mapped",[122]],[[119938,119938],"mapped",[97]],[[119939,119939],"mapped",[98]],[[119940,119940],"mapped",[99]],[[119941,119941],"mapped",[100]],[[119942,119942],"mapped",[101]],[[119943,119943],"mapped",[102]],[[119944,119944],"mapped",[103]],[[119945,119945],"mapped",[104]],[[119946,119946],"mapped",[105]],[[119947,119947],"mapped",[106]],[[119948,119948],"mapped",[107]],[[119949,119949],"mapped",[108]],[[119950,119950],"mapped",[109]],[[119951,119951],"mapped",[110]],[[119952,119952],"mapped",[111]],[[119953,119953],"mapped",[112]],[[119954,119954],"mapped",[113]],[[119955,119955],"mapped",[114]],[[119956,119956],"mapped",[115]],[[119957,119957],"mapped",[116]],[[119958,119958],"mapped",[117]],[[119959,119959],"mapped",[118]],[[119960,119960],"mapped",[119]],[[119961,119961],"mapped",[120]],[[119962,119962],"mapped",[121]],[[119963,119963],"mapped",[122]],[[119964,119964],"mapped",[97]],[[119965,119965],"disallowed"],[[119966,119966],"mapped",[99]],[[119967,119967],"mapped",[100]],[[119968,119969],"disallowed"],[[119970,119970],"mapped",[103]],[[119971,119972],"disallowed"],[[119973,119973],"mapped",[106]],[[119974,119974],"mapped",[107]],[[119975,119976],"disallowed"],[[119977,119977],"mapped",[110]],[[119978,119978],"mapped",[111]],[[119979,119979],"mapped",[112]],[[119980,119980],"mapped",[113]],[[119981,119981],"disallowed"],[[119982,119982],"mapped",[115]],[[119983,119983],"mapped",[116]],[[119984,119984],"mapped",[117]],[[119985,119985],"mapped",[118]],[[119986,119986],"mapped",[119]],[[119987,119987],"mapped",[120]],[[119988,119988],"mapped",[121]],[[119989,119989],"mapped",[122]],[[119990,119990],"mapped",[97]],[[119991,119991],"mapped",[98]],[[119992,119992],"mapped",[99]],[[119993,119993],"mapped",[100]],[[119994,119994],"disallowed"],[[119995,119995],"mapped",[102]],[[119996,119996],"disallowed"],[[119997,119997],"mapped",[104]],[[119998,119998],"mapped",[105]],[[119999,119999],"mapped",[106]],[[120000,120000],"mapped",[107]],[[120001,120001],"mapped",[108]],[[120002,120002],"mapped",[109]],[[120003,120003],"mapped",[110]],[[120004,120004],"disallowed"],[[120005,120005],"mapped",[112]],[[120006,120006],"mapped",[113]],[[120007,120007],"mapped",[114]],[[120008,120008],"mapped",[115]],[[120009,120009],"mapped",[116]],[[120010,120010],"mapped",[117]],[[120011,120011],"mapped",[118]],[[120012,120012],"mapped",[119]],[[120013,120013],"mapped",[120]],[[120014,120014],"mapped",[121]],[[120015,120015],"mapped",[122]],[[120016,120016],"mapped",[97]],[[120017,120017],"mapped",[98]],[[120018,120018],"mapped",[99]],[[120019,120019],"mapped",[100]],[[120020,120020],"mapped",[101]],[[120021,120021],"mapped",[102]],[[120022,120022],"mapped",[103]],[[120023,120023],"mapped",[104]],[[120024,120024],"mapped",[105]],[[120025,120025],"mapped",[106]],[[120026,120026],"mapped",[107]],[[120027,120027],"mapped",[108]],[[120028,120028],"mapped",[109]],[[120029,120029],"mapped",[110]],[[120030,120030],"mapped",[111]],[[120031,120031],"mapped",[112]],[[120032,120032],"mapped",[113]],[[120033,120033],"mapped",[114]],[[120034,120034],"mapped",[115]],[[120035,120035],"mapped",[116]],[[120036,120036],"mapped",[117]],[[120037,120037],"mapped",[118]],[[120038,120038],"mapped",[119]],[[120039,120039],"mapped",[120]],[[120040,120040],"mapped",[121]],[[120041,120041],"mapped",[122]],[[120042,120042],"mapped",[97]],[[120043,120043],"mapped",[98]],[[120044,120044],"mapped",[99]],[[120045,120045],"mapped",[100]],[[120046,120046],"mapped",[101]],[[120047,120047],"mapped",[102]],[[120048,120048],"mapped",[103]],[[120049,120049],"mapped",[104]],[[120050,120050],"mapped",[105]],[[120051,120051],"mapped",[106]],[[120052,120052],"mapped",[107]],[[120053,120053],"mapped",[108]],[[120054,120054],"mapped",[109]],[[120055,120055],"mapped",[110]],[[120056,120056],"mapped",[111]],[[120057,120057],"mapped",[112]],[[120058,120058],"mapped",[113]],[[120059,120059],"mapped",[114]],[[120060,120060],"mapped",[115]],[[120061,120061],"mapped",[116]],[[120062,120062],"mapped",[117]],[[120063,120063],"mapped",[118]],[[120064,120064],"mapped",[119]],[[120065,120065],"mapped",[120]],[[120066,120066],"mapped",[121]],[[120067,120067],"mapped",[122]],[[120068,120068],"mapped",[97]],[[120069,120069],"mapped",[98]],[[120070,120070],"disallowed"],[[120071,120071],"mapped",[100]],[[120072,120072],"mapped",[101]],[[120073,120073],"mapped",[102]],[[120074,120074],"mapped",[103]],[[120075,120076],"disallowed"],[[120077,120077],"mapped",[106]],[[120078,120078],"mapped",[107]],[[120079,120079],"mapped",[108]],[[120080,120080],"mapped",[109]],[[120081,120081],"mapped",[110]],[[120082,120082],"mapped",[111]],[[120083,120083],"mapped",[112]],[[120084,120084],"mapped",[113]],[[120085,120085],"disallowed"],[[120086,120086],"mapped",[115]],[[120087,120087],"mapped",[116]],[[120088,120088],"mapped",[117]],[[120089,120089],"mapped",[118]],[[120090,120090],"mapped",[119]],[[120091,120091],"mapped",[120]],[[120092,120092],"mapped",[121]],[[120093,120093],"disallowed"],[[120094,120094],"mapped",[97]],[[120095,120095],"mapped",[98]],[[120096,120096],"mapped",[99]],[[120097,120097],"mapped",[100]],[[120098,120098],"mapped",[101]],[[120099,120099],"mapped",[102]],[[120100,120100],"mapped",[103]],[[120101,120101],"mapped",[104]],[[120102,120102],"mapped",[105]],[[120103,120103],"mapped",[106]],[[120104,120104],"mapped",[107]],[[120105,120105],"mapped",[108]],[[120106,120106],"mapped",[109]],[[120107,120107],"mapped",[110]],[[120108,120108],"mapped",[111]],[[120109,120109],"mapped",[112]],[[120110,120110],"mapped",[113]],[[120111,120111],"mapped",[114]],[[120112,120112],"mapped",[115]],[[120113,120113],"mapped",[116]],[[120114,120114],"mapped",[117]],[[120115,120115],"mapped",[118]],[[120116,120116],"mapped",[119]],[[120117,120117],"mapped",[120]],[[120118,120118],"mapped",[121]],[[120119,120119],"mapped",[122]],[[120120,120120],"mapped",[97]],[[120121,120121],"mapped",[98]],[[120122,120122],"disallowed"],[[120123,120123],"mapped",[100]],[[120124,120124],"mapped",[101]],[[120125,120125],"mapped",[102]],[[120126,120126],"mapped",[103]],[[120127,120127],"disallowed"],[[120128,120128],"mapped",[105]],[[120129,120129],"mapped",[106]],[[120130,120130],"mapped",[107]],[[120131,120131],"mapped",[108]],[[120132,120132],"mapped",[109]],[[120133,120133],"disallowed"],[[120134,120134],"mapped",[111]],[[120135,120137],"disallowed"],[[120138,120138],"mapped",[115]],[[120139,120139],"mapped",[116]],[[120140,120140],"mapped",[117]],[[120141,120141],"mapped",[118]],[[120142,120142],"mapped",[119]],[[120143,120143],"mapped",[120]],[[120144,120144],"mapped",[121]],[[120145,120145],"disallowed"],[[120146,120146],"mapped",[97]],[[120147,120147],"mapped",[98]],[[120148,120148],"mapped",[99]],[[120149,120149],"mapped",[100]],[[120150,120150],"mapped",[101]],[[120151,120151],"mapped",[102]],[[120152,120152],"mapped",[103]],[[120153,120153],"mapped",[104]],[[120154,120154],"mapped",[105]],[[120155,120155],"mapped",[106]],[[120156,120156],"mapped",[107]],[[120157,120157],"mapped",[108]],[[120158,120158],"mapped",[109]],[[120159,120159],"mapped",[110]],[[120160,120160],"mapped",[111]],[[120161,120161],"mapped",[112]],[[120162,120162],"mapped",[113]],[[120163,120163],"mapped",[114]],[[120164,120164],"mapped",[115]],[[120165,120165],"mapped",[116]],[[120166,120166],"mapped",[117]],[[120167,120167],"mapped",[118]],[[120168,120168],"mapped",[119]],[[120169,120169],"mapped",[120]],[[120170,120170],"mapped",[121]],[[120171,120171],"mapped",[122]],[[120172,120172],"mapped",[97]],[[120173,120173],"mapped",[98]],[[120174,120174],"mapped",[99]],[[120175,120175],"mapped",[100]],[[120176,120176],"mapped",[101]],[[120177,120177],"mapped",[102]],[[120178,120178],"mapped",[103]],[[120179,120179],"mapped",[104]],[[120180,120180],"mapped",[105]],[[120181,120181],"mapped",[106]],[[120182,120182],"mapped",[107]],[[120183,120183],"mapped",[108]],[[120184,120184],"mapped",[109]],[[120185,120185],"mapped",[110]],[[120186,120186],"mapped",[111]],[[120187,120187],"mapped",[112]],[[120188,120188],"mapped",[113]],[[120189,120189],"mapped",[114]],[[120190,120190],"mapped",[115]],[[120191,120191],"mapped",[116]],[[120192,120192],"mapped",[117]],[[120193,120193],"mapped",[118]],[[120194,120194],"mapped",[119]],[[120195,120195],"mapped",[120]],[[120196,120196],"mapped",[121]],[[120197,120197],"mapped",[122]],[[120198,120198],"mapped",[97]],[[120199,120199],"mapped",[98]],[[120200,120200],"mapped",[99]],[[120201,120201],"mapped",[100]],[[120202,120202],"mapped",[101]],[[120203,120203],"mapped",[102]],[[120204,120204],"mapped",[103]],[[120205,120205],"mapped",[104]],[[120206,120206],"mapped",[105]],[[120207,120207],"mapped",[106]],[[120208,120208],"mapped",[107]],[[120209,120209],"mapped",[108]],[[120210,120210],"mapped",[109]],[[120211,120211],"mapped",[110]],[[120212,120212],"mapped",[111]],[[120213,120213],"mapped",[112]],[[120214,120214],"mapped",[113]],[[120215,120215],"mapped",[114]],[[120216,120216],"mapped",[115]],[[120217,120217],"mapped",[116]],[[120218,120218],"mapped",[117]],[[120219,120219],"mapped",[118]],[[120220,120220],"mapped",[119]],[[120221,120221],"mapped",[120]],[[120222,120222],"mapped",[121]],[[120223,120223],"mapped",[122]],[[120224,120224],"mapped",[97]],[[120225,120225],"mapped",[98]],[[120226,120226],"mapped",[99]],[[120227,120227],"mapped",[100]],[[120228,120228],"mapped",[101]],[[120229,120229],"mapped",[102]],[[120230,120230],"mapped",[103]],[[120231,120231],"mapped",[104]],[[120232,120232],"mapped",[105]],[[120233,120233],"mapped",[106]],[[120234,120234],"mapped",[107]],[[120235,120235],"mapped",[108]],[[120236,120236],"mapped",[109]],[[120237,120237],"mapped",[110]],[[120238,120238],"mapped",[111]],[[120239,120239],"mapped",[112]],[[120240,120240],"mapped",[113]],[[120241,120241],"mapped",[114]],[[120242,120242],"mapped",[115]],[[120243,120243],"mapped",[116]],[[120244,120244],"mapped",[117]],[[120245,120245],"mapped",[118]],[[120246,120246],"mapped",[119]],[[120247,120247],"mapped",[120]],[[120248,120248],"mapped",[121]],[[120249,120249],"mapped",[122]],[[120250,120250],"mapped",[97]],[[120251,120251],"mapped",[98]],[[120252,120252],"mapped",[99]],[[120253,120253],"mapped",[100]],[[120254,120254],"mapped",[101]],[[120255,120255],"mapped",[102]],[[120256,120256],"mapped",[103]],[[120257,120257],"mapped",[104]],[[120258,120258],"mapped",[105]],[[120259,120259],"mapped",[106]],[[120260,120260],"mapped",[107]],[[120261,120261],"mapped",[108]],[[120262,120262],"mapped",[109]],[[120263,120263],"mapped",[110]],[[120264,120264],"mapped",[111]],[[120265,120265],"mapped",[112]],[[120266,120266],"mapped",[113]],[[120267,120267],"mapped",[114]],[[120268,120268],"mapped",[115]],[[120269,120269],"mapped",[116]],[[120270,120270],"mapped",[117]],[[120271,120271],"mapped",[118]],[[120272,120272],"mapped",[119]],[[120273,120273],"mapped",[120]],[[120274,120274],"mapped",[121]],[[120275,120275],"mapped",[122]],[[120276,120276],"mapped",[97]],[[120277,120277],"mapped",[98]],[[120278,120278],"mapped",[99]],[[120279,120279],"mapped",[100]],[[120280,120280],"mapped",[101]],[[120281,120281],"mapped",[102]],[[120282,120282],"mapped",[103]],[[120283,120283],"mapped",[104]],[[120284,120284],"mapped",[105]],[[120285,120285],"mapped",[106]],[[120286,120286],"mapped",[107]],[[120287,120287],"mapped",[108]],[[120288,120288],"mapped",[109]],[[120289,120289],"mapped",[110]],[[120290,120290],"mapped",[111]],[[120291,120291],"mapped",[112]],[[120292,120292],"mapped",[113]],[[120293,120293],"mapped",[114]],[[120294,120294],"mapped",[115]],[[120295,120295],"mapped",[116]],[[120296,120296],"mapped",[117]],[[120297,120297],"mapped",[118]],[[120298,120298],"mapped",[119]],[[120299,120299],"mapped",[120]],[[120300,120300],"mapped",[121]],[[120301,120301],"mapped",[122]],[[120302,120302],"mapped",[97]],[[120303,120303],"mapped",[98]],[[120304,120304],"mapped",[99]],[[120305,120305],"mapped",[100]],[[120306,120306],"mapped",[101]],[[120307,120307],"mapped",[102]],[[120308,120308],"mapped",[103]],[[120309,120309],"mapped",[104]],[[120310,120310],"mapped",[105]],[[120311,120311],"mapped",[106]],[[120312,120312],"mapped",[107]],[[120313,120313],"mapped",[108]],[[120314,120314],"mapped",[109]],[[120315,120315],"mapped",[110]],[[120316,120316],"mapped",[111]],[[120317,120317],"mapped",[112]],[[120318,120318],"mapped",[113]],[[120319,120319],"mapped",[114]],[[120320,120320],"mapped",[115]],[[120321,120321],"mapped",[116]],[[120322,120322],"mapped",[117]],[[120323,120323],"mapped",[118]],[[120324,120324],"mapped",[119]],[[120325,120325],"mapped",[120]],[[120326,120326],"mapped",[121]],[[120327,120327],"mapped",[122]],[[120328,120328],"mapped",[97]],[[120329,120329],"mapped",[98]],[[120330,120330],"mapped",[99]],[[120331,120331],"mapped",[100]],[[120332,120332],"mapped",[101]],[[120333,120333],"mapped",[102]],[[120334,120334],"mapped",[103]],[[120335,120335],"mapped",[104]],[[120336,120336],"mapped",[105]],[[120337,120337],"mapped",[106]],[[120338,120338],"mapped",[107]],[[120339,120339],"mapped",[108]],[[120340,120340],"mapped",[109]],[[120341,120341],"mapped",[110]],[[120342,120342],"mapped",[111]],[[120343,120343],"mapped",[112]],[[120344,120344],"mapped",[113]],[[120345,120345],"mapped",[114]],[[120346,120346],"mapped",[115]],[[120347,120347],"mapped",[116]],[[120348,120348],"mapped",[117]],[[120349,120349],"mapped",[118]],[[120350,120350],"mapped",[119]],[[120351,120351],"mapped",[120]],[[120352,120352],"mapped",[121]],[[120353,120353],"mapped",[122]],[[120354,120354],"mapped",[97]],[[120355,120355],"mapped",[98]],[[120356,120356],"mapped",[99]],[[120357,120357],"mapped",[100]],[[120358,120358],"mapped",[101]],[[120359,120359],"mapped",[102]],[[120360,120360],"mapped",[103]],[[120361,120361],"mapped",[104]],[[120362,120362],"mapped",[105]],[[120363,120363],"mapped",[106]],[[120364,120364],"mapped",[107]],[[120365,120365],"mapped",[108]],[[120366,120366],"mapped",[109]],[[120367,120367],"mapped",[110]],[[120368,120368],"mapped",[111]],[[120369,120369],"mapped",[112]],[[120370,120370],"mapped",[113]],[[120371,120371],"mapped",[114]],[[120372,120372],"mapped",[115]],[[120373,120373],"mapped",[116]],[[120374,120374],"mapped",[117]],[[120375,120375],"mapped",[118]],[[120376,120376],"mapped",[119]],[[120377,120377],"mapped",[120]],[[120378,120378],"mapped",[121]],[[120379,120379],"mapped",[122]],[[120380,120380],"mapped",[97]],[[120381,120381],"mapped",[98]],[[120382,120382],"mapped",[99]],[[120383,120383],"mapped",[100]],[[120384,120384],"mapped",[101]],[[120385,120385],"mapped",[102]],[[120386,120386],"mapped",[103]],[[120387,120387],"mapped",[104]],[[120388,120388],"mapped",[105]],[[120389,120389],"mapped",[106]],[[120390,120390],"mapped",[107]],[[120391,120391],"mapped",[108]],[[120392,120392],"mapped",[109]],[[120393,120393],"mapped",[110]],[[120394,120394],"mapped",[111]],[[120395,120395],"mapped",[112]],[[120396,120396],"mapped",[113]],[[120397,120397],"mapped",[114]],[[120398,120398],"mapped",[115]],[[120399,120399],"mapped",[116]],[[120400,120400],"mapped",[117]],[[120401,120401],"mapped",[118]],[[120402,120402],"mapped",[119]],[[120403,120403],"mapped",[120]],[[120404,120404],"mapped",[121]],[[120405,120405],"mapped",[122]],[[120406,120406],"mapped",[97]],[[120407,120407],"mapped",[98]],[[120408,120408],"mapped",[99]],[[120409,120409],"mapped",[100]],[[120410,120410],"mapped",[101]],[[120411,120411],"mapped",[102]],[[120412,120412],"mapped",[103]],[[120413,120413],"mapped",[104]],[[120414,120414],"mapped",[105]],[[120415,120415],"mapped",[106]],[[120416,120416],"mapped",[107]],[[120417,120417],"mapped",[108]],[[120418,120418],"mapped",[109]],[[120419,120419],"mapped",[110]],[[120420,120420],"mapped",[111]],[[120421,120421],"mapped",[112]],[[120422,120422],"mapped",[113]],[[120423,120423],"mapped",[114]],[[120424,120424],"mapped",[115]],[[120425,120425],"mapped",[116]],[[120426,120426],"mapped",[117]],[[120427,120427],"mapped",[118]],[[120428,120428],"mapped",[119]],[[120429,120429],"mapped",[120]],[[120430,120430],"mapped",[121]],[[120431,120431],"mapped",[122]],[[120432,120432],"mapped",[97]],[[120433,120433],"mapped",[98]],[[120434,120434],"mapped",[99]],[[120435,120435],"mapped",[100]],[[120436,120436],"mapped",[101]],[[120437,120437],"mapped",[102]],[[120438,120438],"mapped",[103]],[[120439,120439],"mapped",[104]],[[120440,120440],"mapped",[105]],[[120441,120441],"mapped",[106]],[[120442,120442],"mapped",[107]],[[120443,120443],"mapped",[108]],[[120444,120444],"mapped",[109]],[[120445,120445],"mapped",[110]],[[120446,120446],"mapped",[111]],[[120447,120447],"mapped",[112]],[[120448,120448],"mapped",[113]],[[120449,120449],"mapped",[114]],[[120450,120450],"mapped",[115]],[[120451,120451],"mapped",[116]],[[120452,120452],"mapped",[117]],[[120453,120453],"mapped",[118]],[[120454,120454],"mapped",[119]],[[120455,120455],"mapped",[120]],[[120456,120456],"mapped",[121]],[[120457,120457],"mapped",[122]],[[120458,120458],"mapped",[97]],[[120459,120459],"mapped",[98]],[[120460,120460],"mapped",[99]],[[120461,120461],"mapped",[100]],[[120462,120462],"mapped",[101]],[[120463,120463],"mapped",[102]],[[120464,120464],"mapped",[103]],[[120465,120465],"mapped",[104]],[[120466,120466],"mapped",[105]],[[120467,120467],"mapped",[106]],[[120468,120468],"mapped",[107]],[[120469,120469],"mapped",[108]],[[120470,120470],"mapped",[109]],[[120471,120471],"mapped",[110]],[[120472,120472],"mapped",[111]],[[120473,120473],"mapped",[112]],[[120474,120474],"mapped",[113]],[[120475,120475],"mapped",[114]],[[120476,120476],"mapped",[115]],[[120477,120477],"mapped",[116]],[[120478,120478],"mapped",[117]],[[120479,120479],"mapped",[118]],[[120480,120480],"mapped",[119]],[[120481,120481],"mapped",[120]],[[120482,120482],"mapped",[121]],[[120483,120483],"mapped",[122]],[[120484,120484],"mapped",[305]],[[120485,120485],"mapped",[567]],[[120486,120487],"disallowed"],[[120488,120488],"mapped",[945]],[[120489,120489],"mapped",[946]],[[120490,120490],"mapped",[947]],[[120491,120491],"mapped",[948]],[[120492,120492],"mapped",[949]],[[120493,120493],"mapped",[950]],[[120494,120494],"mapped",[951]],[[120495,120495],"mapped",[952]],[[120496,120496],"mapped",[953]],[[120497,120497],"mapped",[954]],[[120498,120498],"mapped",[955]],[[120499,120499],"mapped",[956]],[[120500,120500],"mapped",[957]],[[120501,120501],"mapped",[958]],[[120502,120502],"mapped",[959]],[[120503,120503],"mapped",[960]],[[120504,120504],"mapped",[961]],[[120505,120505],"mapped",[952]],[[120506,120506],"mapped",[963]],[[120507,120507],"mapped",[964]],[[120508,120508],"mapped",[965]],[[120509,120509],"mapped",[966]],[[120510,120510],"mapped",[967]],[[120511,120511],"mapped",[968]],[[120512,120512],"mapped",[969]],[[120513,120513],"mapped",[8711]],[[120514,120514],"mapped",[945]],[[120515,120515],"mapped",[946]],[[120516,120516],"mapped",[947]],[[120517,120517],"mapped",[948]],[[120518,120518],"mapped",[949]],[[120519,120519],"mapped",[950]],[[120520,120520],"mapped",[951]],[[120521,120521],"mapped",[952]],[[120522,120522],"mapped",[953]],[[120523,120523],"mapped",[954]],[[120524,120524],"mapped",[955]],[[120525,120525],"mapped",[956]],[[120526,120526],"mapped",[957]],[[120527,120527],"mapped",[958]],[[120528,120528],"mapped",[959]],[[120529,120529],"mapped",[960]],[[120530,120530],"mapped",[961]],[[120531,120532],"mapped",[963]],[[120533,120533],"mapped",[964]],[[120534,120534],"mapped",[965]],[[120535,120535],"mapped",[966]],[[120536,120536],"mapped",[967]],[[120537,120537],"mapped",[968]],[[120538,120538],"mapped",[969]],[[120539,120539],"mapped",[8706]],[[120540,120540],"mapped",[949]],[[120541,120541],"mapped",[952]],[[120542,120542],"mapped",[954]],[[120543,120543],"mapped",[966]],[[120544,120544],"mapped",[961]],[[120545,120545],"mapped",[960]],[[120546,120546],"mapped",[945]],[[120547,120547],"mapped",[946]],[[120548,120548],"mapped",[947]],[[120549,120549],"mapped",[948]],[[120550,120550],"mapped",[949]],[[120551,120551],"mapped",[950]],[[120552,120552],"mapped",[951]],[[120553,120553],"mapped",[952]],[[120554,120554],"mapped",[953]],[[120555,120555],"mapped",[954]],[[120556,120556],"mapped",[955]],[[120557,120557],"mapped",[956]],[[120558,120558],"mapped",[957]],[[120559,120559],"mapped",[958]],[[120560,120560],"mapped",[959]],[[120561,120561],"mapped",[960]],[[120562,120562],"mapped",[961]],[[120563,120563],"mapped",[952]],[[120564,120564],"mapped",[963]],[[120565,120565],"mapped",[964]],[[120566,120566],"mapped",[965]],[[120567,120567],"mapped",[966]],[[120568,120568],"mapped",[967]],[[120569,120569],"mapped",[968]],[[120570,120570],"mapped",[969]],[[120571,120571],"mapped",[8711]],[[120572,120572],"mapped",[945]],[[120573,120573],"mapped",[946]],[[120574,120574],"mapped",[947]],[[120575,120575],"mapped",[948]],[[120576,120576],"mapped",[949]],[[120577,120577],"mapped",[950]],[[120578,120578],"mapped",[951]],[[120579,120579],"mapped",[952]],[[120580,120580],"mapped",[953]],[[120581,120581],"mapped",[954]],[[120582,120582],"mapped",[955]],[[120583,120583],"mapped",[956]],[[120584,120584],"mapped",[957]],[[120585,120585],"mapped",[958]],[[120586,120586],"mapped",[959]],[[120587,120587],"mapped",[960]],[[120588,120588],"mapped",[961]],[[120589,120590],"mapped",[963]],[[120591,120591],"mapped",[964]],[[120592,120592],"mapped",[965]],[[120593,120593],"mapped",[966]],[[120594,120594],"mapped",[967]],[[120595,120595],"mapped",[968]],[[120596,120596],"mapped",[969]],[[120597,120597],"mapped",[8706]],[[120598,120598],"mapped",[949]],[[120599,120599],"mapped",[952]],[[120600,120600],"mapped",[954]],[[120601,120601],"mapped",[966]],[[120602,120602],"mapped",[961]],[[120603,120603],"mapped",[960]],[[120604,120604],"mapped",[945]],[[120605,120605],"mapped",[946]],[[120606,120606],"mapped",[947]],[[120607,120607],"mapped",[948]],[[120608,120608],"mapped",[949]],[[120609,120609],"mapped",[950]],[[120610,120610],"mapped",[951]],[[120611,120611],"mapped",[952]],[[120612,120612],"mapped",[953]],[[120613,120613],"mapped",[954]],[[120614,120614],"mapped",[955]],[[120615,120615],"mapped",[956]],[[120616,120616],"mapped",[957]],[[120617,120617],"mapped",[958]],[[120618,120618],"mapped",[959]],[[120619,120619],"mapped",[960]],[[120620,120620],"mapped",[961]],[[120621,120621],"mapped",[952]],[[120622,120622],"mapped",[963]],[[120623,120623],"mapped",[964]],[[120624,120624],"mapped",[965]],[[120625,120625],"mapped",[966]],[[120626,120626],"mapped",[967]],[[120627,120627],"mapped",[968]],[[120628,120628],"mapped",[969]],[[120629,120629],"mapped",[8711]],[[120630,120630],"mapped",[945]],[[120631,120631],"mapped",[946]],[[120632,120632],"mapped",[947]],[[120633,120633],"mapped",[948]],[[120634,120634],"mapped",[949]],[[120635,120635],"mapped",[950]],[[120636,120636],"mapped",[951]],[[120637,120637],"mapped",[952]],[[120638,120638],"mapped",[953]],[[120639,120639],"mapped",[954]],[[120640,120640],"mapped",[955]],[[120641,120641],"mapped",[956]],[[120642,120642],"mapped",[957]],[[120643,120643],"mapped",[958]],[[120644,120644],"mapped",[959]],[[120645,120645],"mapped",[960]],[[120646,120646],"mapped",[961]],[[120647,120648],"mapped",[963]],[[120649,120649],"mapped",[964]],[[120650,120650],"mapped",[965]],[[120651,120651],"mapped",[966]],[[120652,120652],"mapped",[967]],[[120653,120653],"mapped",[968]],[[120654,120654],"mapped",[969]],[[120655,120655],"mapped",[8706]],[[120656,120656],"mapped",[949]],[[120657,120657],"mapped",[952]],[[120658,120658],"mapped",[954]],[[120659,120659],"mapped",[966]],[[120660,120660],"mapped",[961]],[[120661,120661],"mapped",[960]],[[120662,120662],"mapped",[945]],[[120663,120663],"mapped",[946]],[[120664,120664],"mapped",[947]],[[120665,120665],"mapped",[948]],[[120666,120666],"mapped",[949]],[[120667,120667],"mapped",[950]],[[120668,120668],"mapped",[951]],[[120669,120669],"mapped",[952]],[[120670,120670],"mapped",[953]],[[120671,120671],"mapped",[954]],[[120672,120672],"mapped",[955]],[[120673,120673],"mapped",[956]],[[120674,120674],"mapped",[957]],[[120675,120675],"mapped",[958]],[[120676,120676],"mapped",[959]],[[120677,120677],"mapped",[960]],[[120678,120678],"mapped",[961]],[[120679,120679],"mapped",[952]],[[120680,120680],"mapped",[963]],[[120681,120681],"mapped",[964]],[[120682,120682],"mapped",[965]],[[120683,120683],"mapped",[966]],[[120684,120684],"mapped",[967]],[[120685,120685],"mapped",[968]],[[120686,120686],"mapped",[969]],[[120687,120687],"mapped",[8711]],[[120688,120688],"mapped",[945]],[[120689,120689],"mapped",[946]],[[120690,120690],"mapped",[947]],[[120691,120691],"mapped",[948]],[[120692,120692],"mapped",[949]],[[120693,120693],"mapped",[950]],[[120694,120694],"mapped",[951]],[[120695,120695],"mapped",[952]],[[120696,120696],"mapped",[953]],[[120697,120697],"mapped",[954]],[[120698,120698],"mapped",[955]],[[120699,120699],"mapped",[956]],[[120700,120700],"mapped",[957]],[[120701,120701],"mapped",[958]],[[120702,120702],"mapped",[959]],[[120703,120703],"mapped",[960]],[[120704,120704],"mapped",[961]],[[120705,120706],"mapped",[963]],[[120707,120707],"mapped",[964]],[[120708,120708],"mapped",[965]],[[120709,120709],"mapped",[966]],[[120710,120710],"mapped",[967]],[[120711,120711],"mapped",[968]],[[120712,120712],"mapped",[969]],[[120713,120713],"mapped",[8706]],[[120714,120714],"mapped",[949]],[[120715,120715],"mapped",[952]],[[120716,120716],"mapped",[954]],[[120717,120717],"mapped",[966]],[[120718,120718],"mapped",[961]],[[120719,120719],"mapped",[960]],[[120720,120720],"mapped",[945]],[[120721,120721],"mapped",[946]],[[120722,120722],"mapped",[947]],[[120723,120723],"mapped",[948]],[[120724,120724],"mapped",[949]],[[120725,120725],"mapped",[950]],[[120726,120726],"mapped",[951]],[[120727,120727],"mapped",[952]],[[120728,120728],"mapped",[953]],[[120729,120729],"mapped",[954]],[[120730,120730],"mapped",[955]],[[120731,120731],"mapped",[956]],[[120732,120732],"mapped",[957]],[[120733,120733],"mapped",[958]],[[120734,120734],"mapped",[959]],[[120735,120735],"mapped",[960]],[[120736,120736],"mapped",[961]],[[120737,120737],"mapped",[952]],[[120738,120738],"mapped",[963]],[[120739,120739],"mapped",[964]],[[120740,120740],"mapped",[965]],[[120741,120741],"mapped",[966]],[[120742,120742],"mapped",[967]],[[120743,120743],"mapped",[968]],[[120744,120744],"mapped",[969]],[[120745,120745],"mapped",[8711]],[[120746,120746],"mapped",[945]],[[120747,120747],"mapped",[946]],[[120748,120748],"mapped",[947]],[[120749,120749],"mapped",[948]],[[120750,120750],"mapped",[949]],[[120751,120751],"mapped",[950]],[[120752,120752],"mapped",[951]],[[120753,120753],"mapped",[952]],[[120754,120754],"mapped",[953]],[[120755,120755],"mapped",[954]],[[120756,120756],"mapped",[955]],[[120757,120757],"mapped",[956]],[[120758,120758],"mapped",[957]],[[120759,120759],"mapped",[958]],[[120760,120760],"mapped",[959]],[[120761,120761],"mapped",[960]],[[120762,120762],"mapped",[961]],[[120763,120764],"mapped",[963]],[[120765,120765],"mapped",[964]],[[120766,120766],"mapped",[965]],[[120767,120767],"mapped",[966]],[[120768,120768],"mapped",[967]],[[120769,120769],"mapped",[968]],[[120770,120770],"mapped",[969]],[[120771,120771],"mapped",[8706]],[[120772,120772],"mapped",[949]],[[120773,120773],"mapped",[952]],[[120774,120774],"mapped",[954]],[[120775,120775],"mapped",[966]],[[120776,120776],"mapped",[961]],[[120777,120777],"mapped",[960]],[[120778,120779],"mapped",[989]],[[120780,120781],"disallowed"],[[120782,120782],"mapped",[48]],[[120783,120783],"mapped",[49]],[[120784,120784],"mapped",[50]],[[120785,120785],"mapped",[51]],[[120786,120786],"mapped",[52]],[[120787,120787],"mapped",[53]],[[120788,120788],"mapped",[54]],[[120789,120789],"mapped",[55]],[[120790,120790],"mapped",[56]],[[120791,120791],"mapped",[57]],[[120792,120792],"mapped",[48]],[[120793,120793],"mapped",[49]],[[120794,120794],"mapped",[50]],[[120795,120795],"mapped",[51]],[[120796,120796],"mapped",[52]],[[120797,120797],"mapped",[53]],[[120798,120798],"mapped",[54]],[[120799,120799],"mapped",[55]],[[120800,120800],"mapped",[56]],[[120801,120801],"mapped",[57]],[[120802,120802],"mapped",[48]],[[120803,120803],"mapped",[49]],[[120804,120804],"mapped",[50]],[[120805,120805],"mapped",[51]],[[120806,120806],"mapped",[52]],[[120807,120807],"mapped",[53]],[[120808,120808],"mapped",[54]],[[120809,120809],"mapped",[55]],[[120810,120810],"mapped",[56]],[[120811,120811],"mapped",[57]],[[120812,120812],"mapped",[48]],[[120813,120813],"mapped",[49]],[[120814,120814],"mapped",[50]],[[120815,120815],"mapped",[51]],[[120816,120816],"mapped",[52]],[[120817,120817],"mapped",[53]],[[120818,120818],"mapped",[54]],[[120819,120819],"mapped",[55]],[[120820,120820],"mapped",[56]],[[120821,120821],"mapped",[57]],[[120822,120822],"mapped",[48]],[[120823,120823],"mapped",[49]],[[120824,120824],"mapped",[50]],[[120825,120825],"mapped",[51]],[[120826,120826],"mapped",[52]],[[120827,120827],"mapped",[53]],[[120828,120828],"mapped",[54]],[[120829,120829],"mapped",[55]],[[120830,120830],"mapped",[56]],[[120831,120831],"mapped",[57]],[[120832,121343],"valid",[],"NV8"],[[121344,121398],"valid"],[[121399,121402],"valid",[],"NV8"],[[121403,121452],"valid"],[[121453,121460],"valid",[],"NV8"],[[121461,121461],"valid"],[[121462,121475],"valid",[],"NV8"],[[121476,121476],"valid"],[[121477,121483],"valid",[],"NV8"],[[121484,121498],"disallowed"],[[121499,121503],"valid"],[[121504,121504],"disallowed"],[[121505,121519],"valid"],[[121520,124927],"disallowed"],[[124928,125124],"valid"],[[125125,125126],"disallowed"],[[125127,125135],"valid",[],"NV8"],[[125136,125142],"valid"],[[125143,126463],"disallowed"],[[126464,126464],"mapped",[1575]],[[126465,126465],"mapped",[1576]],[[126466,126466],"mapped",[1580]],[[126467,126467],"mapped",[1583]],[[126468,126468],"disallowed"],[[126469,126469],"mapped",[1608]],[[126470,126470],"mapped",[1586]],[[126471,126471],"mapped",[1581]],[[126472,126472],"mapped",[1591]],[[126473,126473],"mapped",[1610]],[[126474,126474],"mapped",[1603]],[[126475,126475],"mapped",[1604]],[[126476,126476],"mapped",[1605]],[[126477,126477],"mapped",[1606]],[[126478,126478],"mapped",[1587]],[[126479,126479],"mapped",[1593]],[[126480,126480],"mapped",[1601]],[[126481,126481],"mapped",[1589]],[[126482,126482],"mapped",[1602]],[[126483,126483],"mapped",[1585]],[[126484,126484],"mapped",[1588]],[[126485,126485],"mapped",[1578]],[[126486,126486],"mapped",[1579]],[[126487,126487],"mapped",[1582]],[[126488,126488],"mapped",[1584]],[[126489,126489],"mapped",[1590]],[[126490,126490],"mapped",[1592]],[[126491,126491],"mapped",[1594]],[[126492,126492],"mapped",[1646]],[[126493,126493],"mapped",[1722]],[[126494,126494],"mapped",[1697]],[[126495,126495],"mapped",[1647]],[[126496,126496],"disallowed"],[[126497,126497],"mapped",[1576]],[[126498,126498],"mapped",[1580]],[[126499,126499],"disallowed"],[[126500,126500],"mapped",[1607]],[[126501,126502],"disallowed"],[[126503,126503],"mapped",[1581]],[[126504,126504],"disallowed"],[[126505,126505],"mapped",[1610]],[[126506,126506],"mapped",[1603]],[[126507,126507],"mapped",[1604]],[[126508,126508],"mapped",[1605]],[[126509,126509],"mapped",[1606]],[[126510,126510],"mapped",[1587]],[[126511,126511],"mapped",[1593]],[[126512,126512],"mapped",[1601]],[[126513,126513],"mapped",[1589]],[[126514,126514],"mapped",[1602]],[[126515,126515],"disallowed"],[[126516,126516],"mapped",[1588]],[[126517,126517],"mapped",[1578]],[[126518,126518],"mapped",[1579]],[[126519,126519],"mapped",[1582]],[[126520,126520],"disallowed"],[[126521,126521],"mapped",[1590]],[[126522,126522],"disallowed"],[[126523,126523],"mapped",[1594]],[[126524,126529],"disallowed"],[[126530,126530],"mapped",[1580]],[[126531,126534],"disallowed"],[[126535,126535],"mapped",[1581]],[[126536,126536],"disallowed"],[[126537,126537],"mapped",[1610]],[[126538,126538],"disallowed"],[[126539,126539],"mapped",[1604]],[[126540,126540],"disallowed"],[[126541,126541],"mapped",[1606]],[[126542,126542],"mapped",[1587]],[[126543,126543],"mapped",[1593]],[[126544,126544],"disallowed"],[[126545,126545],"mapped",[1589]],[[126546,126546],"mapped",[1602]],[[126547,126547],"disallowed"],[[126548,126548],"mapped",[1588]],[[126549,126550],"disallowed"],[[126551,126551],"mapped",[1582]],[[126552,126552],"disallowed"],[[126553,126553],"mapped",[1590]],[[126554,126554],"disallowed"],[[126555,126555],"mapped",[1594]],[[126556,126556],"disallowed"],[[126557,126557],"mapped",[1722]],[[126558,126558],"disallowed"],[[126559,126559],"mapped",[1647]],[[126560,126560],"disallowed"],[[126561,126561],"mapped",[1576]],[[126562,126562],"mapped",[1580]],[[126563,126563],"disallowed"],[[126564,126564],"mapped",[1607]],[[126565,126566],"disallowed"],[[126567,126567],"mapped",[1581]],[[126568,126568],"mapped",[1591]],[[126569,126569],"mapped",[1610]],[[126570,126570],"mapped",[1603]],[[126571,126571],"disallowed"],[[126572,126572],"mapped",[1605]],[[126573,126573],"mapped",[1606]],[[126574,126574],"mapped",[1587]],[[126575,126575],"mapped",[1593]],[[126576,126576],"mapped",[1601]],[[126577,126577],"mapped",[1589]],[[126578,126578],"mapped",[1602]],[[126579,126579],"disallowed"],[[126580,126580],"mapped",[1588]],[[126581,126581],"mapped",[1578]],[[126582,126582],"mapped",[1579]],[[126583,126583],"mapped",[1582]],[[126584,126584],"disallowed"],[[126585,126585],"mapped",[1590]],[[126586,126586],"mapped",[1592]],[[126587,126587],"mapped",[1594]],[[126588,126588],"mapped",[1646]],[[126589,126589],"disallowed"],[[126590,126590],"mapped",[1697]],[[126591,126591],"disallowed"],[[126592,126592],"mapped",[1575]],[[126593,126593],"mapped",[1576]],[[126594,126594],"mapped",[1580]],[[126595,126595],"mapped",[1583]],[[126596,126596],"mapped",[1607]],[[126597,126597],"mapped",[1608]],[[126598,126598],"mapped",[1586]],[[126599,126599],"mapped",[1581]],[[126600,126600],"mapped",[1591]],[[126601,126601],"mapped",[1610]],[[126602,126602],"disallowed"],[[126603,126603],"mapped",[1604]],[[126604,126604],"mapped",[1605]],[[126605,126605],"mapped",[1606]],[[126606,126606],"mapped",[1587]],[[126607,126607],"mapped",[1593]],[[126608,126608],"mapped",[1601]],[[126609,126609],"mapped",[1589]],[[126610,126610],"mapped",[1602]],[[126611,126611],"mapped",[1585]],[[126612,126612],"mapped",[1588]],[[126613,126613],"mapped",[1578]],[[126614,126614],"mapped",[1579]],[[126615,126615],"mapped",[1582]],[[126616,126616],"mapped",[1584]],[[126617,126617],"mapped",[1590]],[[126618,126618],"mapped",[1592]],[[126619,126619],"mapped",[1594]],[[126620,126624],"disallowed"],[[126625,126625],"mapped",[1576]],[[126626,126626],"mapped",[1580]],[[126627,126627],"mapped",[1583]],[[126628,126628],"disallowed"],[[126629,126629],"mapped",[1608]],[[126630,126630],"mapped",[1586]],[[126631,126631],"mapped",[1581]],[[126632,126632],"mapped",[1591]],[[126633,126633],"mapped",[1610]],[[126634,126634],"disallowed"],[[126635,126635],"mapped",[1604]],[[126636,126636],"mapped",[1605]],[[126637,126637],"mapped",[1606]],[[126638,126638],"mapped",[1587]],[[126639,126639],"mapped",[1593]],[[126640,126640],"mapped",[1601]],[[126641,126641],"mapped",[1589]],[[126642,126642],"mapped",[1602]],[[126643,126643],"mapped",[1585]],[[126644,126644],"mapped",[1588]],[[126645,126645],"mapped",[1578]],[[126646,126646],"mapped",[1579]],[[126647,126647],"mapped",[1582]],[[126648,126648],"mapped",[1584]],[[126649,126649],"mapped",[1590]],[[126650,126650],"mapped",[1592]],[[126651,126651],"mapped",[1594]],[[126652,126703],"disallowed"],[[126704,126705],"valid",[],"NV8"],[[126706,126975],"disallowed"],[[126976,127019],"valid",[],"NV8"],[[127020,127023],"disallowed"],[[127024,127123],"valid",[],"NV8"],[[127124,127135],"disallowed"],[[127136,127150],"valid",[],"NV8"],[[127151,127152],"disallowed"],[[127153,127166],"valid",[],"NV8"],[[127167,127167],"valid",[],"NV8"],[[127168,127168],"disallowed"],[[127169,127183],"valid",[],"NV8"],[[127184,127184],"disallowed"],[[127185,127199],"valid",[],"NV8"],[[127200,127221],"valid",[],"NV8"],[[127222,127231],"disallowed"],[[127232,127232],"disallowed"],[[127233,127233],"disallowed_STD3_mapped",[48,44]],[[127234,127234],"disallowed_STD3_mapped",[49,44]],[[127235,127235],"disallowed_STD3_mapped",[50,44]],[[127236,127236],"disallowed_STD3_mapped",[51,44]],[[127237,127237],"disallowed_STD3_mapped",[52,44]],[[127238,127238],"disallowed_STD3_mapped",[53,44]],[[127239,127239],"disallowed_STD3_mapped",[54,44]],[[127240,127240],"disallowed_STD3_mapped",[55,44]],[[127241,127241],"disallowed_STD3_mapped",[56,44]],[[127242,127242],"disallowed_STD3_mapped",[57,44]],[[127243,127244],"valid",[],"NV8"],[[127245,127247],"disallowed"],[[127248,127248],"disallowed_STD3_mapped",[40,97,41]],[[127249,127249],"disallowed_STD3_mapped",[40,98,41]],[[127250,127250],"disallowed_STD3_mapped",[40,99,41]],[[127251,127251],"disallowed_STD3_mapped",[40,100,41]],[[127252,127252],"disallowed_STD3_mapped",[40,101,41]],[[127253,127253],"disallowed_STD3_mapped",[40,102,41]],[[127254,127254],"disallowed_STD3_mapped",[40,103,41]],[[127255,127255],"disallowed_STD3_mapped",[40,104,41]],[[127256,127256],"disallowed_STD3_mapped",[40,105,41]],[[127257,127257],"disallowed_STD3_mapped",[40,106,41]],[[127258,127258],"disallowed_STD3_mapped",[40,107,41]],[[127259,127259],"disallowed_STD3_mapped",[40,108,41]],[[127260,127260],"disallowed_STD3_mapped",[40,109,41]],[[127261,127261],"disallowed_STD3_mapped",[40,110,41]],[[127262,127262],"disallowed_STD3_mapped",[40,111,41]],[[127263,127263],"disallowed_STD3_mapped",[40,112,41]],[[127264,127264],"disallowed_STD3_mapped",[40,113,41]],[[127265,127265],"disallowed_STD3_mapped",[40,114,41]],[[127266,127266],"disallowed_STD3_mapped",[40,115,41]],[[127267,127267],"disallowed_STD3_mapped",[40,116,41]],[[127268,127268],"disallowed_STD3_mapped",[40,117,41]],[[127269,127269],"disallowed_STD3_mapped",[40,118,41]],[[127270,127270],"disallowed_STD3_mapped",[40,119,41]],[[127271,127271],"disallowed_STD3_mapped",[40,120,41]],[[127272,127272],"disallowed_STD3_mapped",[40,121,41]],[[127273,127273],"disallowed_STD3_mapped",[40,122,41]],[[127274,127274],"mapped",[12308,115,12309]],[[127275,127275],"mapped",[99]],[[127276,127276],"mapped",[114]],[[127277,127277],"mapped",[99,100]],[[127278,127278],"mapped",[119,122]],[[127279,127279],"disallowed"],[[127280,127280],"mapped",[97]],[[127281,127281],"mapped",[98]],[[127282,127282],"mapped",[99]],[[127283,127283],"mapped",[100]],[[127284,127284],"mapped",[101]],[[127285,127285],"mapped",[102]],[[127286,127286],"mapped",[103]],[[127287,127287],"mapped",[104]],[[127288,127288],"mapped",[105]],[[127289,127289],"mapped",[106]],[[127290,127290],"mapped",[107]],[[127291,127291],"mapped",[108]],[[127292,127292],"mapped",[109]],[[127293,127293],"mapped",[110]],[[127294,127294],"mapped",[111]],[[127295,127295],"mapped",[112]],[[127296,127296],"mapped",[113]],[[127297,127297],"mapped",[114]],[[127298,127298],"mapped",[115]],[[127299,127299],"mapped",[116]],[[127300,127300],"mapped",[117]],[[127301,127301],"mapped",[118]],[[127302,127302],"mapped",[119]],[[127303,127303],"mapped",[120]],[[127304,127304],"mapped",[121]],[[127305,127305],"mapped",[122]],[[127306,127306],"mapped",[104,118]],[[127307,127307],"mapped",[109,118]],[[127308,127308],"mapped",[115,100]],[[127309,127309],"mapped",[115,115]],[[127310,127310],"mapped",[112,112,118]],[[127311,127311],"mapped",[119,99]],[[127312,127318],"valid",[],"NV8"],[[127319,127319],"valid",[],"NV8"],[[127320,127326],"valid",[],"NV8"],[[127327,127327],"valid",[],"NV8"],[[127328,127337],"valid",[],"NV8"],[[127338,127338],"mapped",[109,99]],[[127339,127339],"mapped",[109,100]],[[127340,127343],"disallowed"],[[127344,127352],"valid",[],"NV8"],[[127353,127353],"valid",[],"NV8"],[[127354,127354],"valid",[],"NV8"],[[127355,127356],"valid",[],"NV8"],[[127357,127358],"valid",[],"NV8"],[[127359,127359],"valid",[],"NV8"],[[127360,127369],"valid",[],"NV8"],[[127370,127373],"valid",[],"NV8"],[[127374,127375],"valid",[],"NV8"],[[127376,127376],"mapped",[100,106]],[[127377,127386],"valid",[],"NV8"],[[127387,127461],"disallowed"],[[127462,127487],"valid",[],"NV8"],[[127488,127488],"mapped",[12411,12363]],[[127489,127489],"mapped",[12467,12467]],[[127490,127490],"mapped",[12469]],[[127491,127503],"disallowed"],[[127504,127504],"mapped",[25163]],[[127505,127505],"mapped",[23383]],[[127506,127506],"mapped",[21452]],[[127507,127507],"mapped",[12487]],[[127508,127508],"mapped",[20108]],[[127509,127509],"mapped",[22810]],[[127510,127510],"mapped",[35299]],[[127511,127511],"mapped",[22825]],[[127512,127512],"mapped",[20132]],[[127513,127513],"mapped",[26144]],[[127514,127514],"mapped",[28961]],[[127515,127515],"mapped",[26009]],[[127516,127516],"mapped",[21069]],[[127517,127517],"mapped",[24460]],[[127518,127518],"mapped",[20877]],[[127519,127519],"mapped",[26032]],[[127520,127520],"mapped",[21021]],[[127521,127521],"mapped",[32066]],[[127522,127522],"mapped",[29983]],[[127523,127523],"mapped",[36009]],[[127524,127524],"mapped",[22768]],[[127525,127525],"mapped",[21561]],[[127526,127526],"mapped",[28436]],[[127527,127527],"mapped",[25237]],[[127528,127528],"mapped",[25429]],[[127529,127529],"mapped",[19968]],[[127530,127530],"mapped",[19977]],[[127531,127531],"mapped",[36938]],[[127532,127532],"mapped",[24038]],[[127533,127533],"mapped",[20013]],[[127534,127534],"mapped",[21491]],[[127535,127535],"mapped",[25351]],[[127536,127536],"mapped",[36208]],[[127537,127537],"mapped",[25171]],[[127538,127538],"mapped",[31105]],[[127539,127539],"mapped",[31354]],[[127540,127540],"mapped",[21512]],[[127541,127541],"mapped",[28288]],[[127542,127542],"mapped",[26377]],[[127543,127543],"mapped",[26376]],[[127544,127544],"mapped",[30003]],[[127545,127545],"mapped",[21106]],[[127546,127546],"mapped",[21942]],[[127547,127551],"disallowed"],[[127552,127552],"mapped",[12308,26412,12309]],[[127553,127553],"mapped",[12308,19977,12309]],[[127554,127554],"mapped",[12308,20108,12309]],[[127555,127555],"mapped",[12308,23433,12309]],[[127556,127556],"mapped",[12308,28857,12309]],[[127557,127557],"mapped",[12308,25171,12309]],[[127558,127558],"mapped",[12308,30423,12309]],[[127559,127559],"mapped",[12308,21213,12309]],[[127560,127560],"mapped",[12308,25943,12309]],[[127561,127567],"disallowed"],[[127568,127568],"mapped",[24471]],[[127569,127569],"mapped",[21487]],[[127570,127743],"disallowed"],[[127744,127776],"valid",[],"NV8"],[[127777,127788],"valid",[],"NV8"],[[127789,127791],"valid",[],"NV8"],[[127792,127797],"valid",[],"NV8"],[[127798,127798],"valid",[],"NV8"],[[127799,127868],"valid",[],"NV8"],[[127869,127869],"valid",[],"NV8"],[[127870,127871],"valid",[],"NV8"],[[127872,127891],"valid",[],"NV8"],[[127892,127903],"valid",[],"NV8"],[[127904,127940],"valid",[],"NV8"],[[127941,127941],"valid",[],"NV8"],[[127942,127946],"valid",[],"NV8"],[[127947,127950],"valid",[],"NV8"],[[127951,127955],"valid",[],"NV8"],[[127956,127967],"valid",[],"NV8"],[[127968,127984],"valid",[],"NV8"],[[127985,127991],"valid",[],"NV8"],[[127992,127999],"valid",[],"NV8"],[[128000,128062],"valid",[],"NV8"],[[128063,128063],"valid",[],"NV8"],[[128064,128064],"valid",[],"NV8"],[[128065,128065],"valid",[],"NV8"],[[128066,128247],"valid",[],"NV8"],[[128248,128248],"valid",[],"NV8"],[[128249,128252],"valid",[],"NV8"],[[128253,128254],"valid",[],"NV8"],[[128255,128255],"valid",[],"NV8"],[[128256,128317],"valid",[],"NV8"],[[128318,128319],"valid",[],"NV8"],[[128320,128323],"valid",[],"NV8"],[[128324,128330],"valid",[],"NV8"],[[128331,128335],"valid",[],"NV8"],[[128336,128359],"valid",[],"NV8"],[[128360,128377],"valid",[],"NV8"],[[128378,128378],"disallowed"],[[128379,128419],"valid",[],"NV8"],[[128420,128420],"disallowed"],[[128421,128506],"valid",[],"NV8"],[[128507,128511],"valid",[],"NV8"],[[128512,128512],"valid",[],"NV8"],[[128513,128528],"valid",[],"NV8"],[[128529,128529],"valid",[],"NV8"],[[128530,128532],"valid",[],"NV8"],[[128533,128533],"valid",[],"NV8"],[[128534,128534],"valid",[],"NV8"],[[128535,128535],"valid",[],"NV8"],[[128536,128536],"valid",[],"NV8"],[[128537,128537],"valid",[],"NV8"],[[128538,128538],"valid",[],"NV8"],[[128539,128539],"valid",[],"NV8"],[[128540,128542],"valid",[],"NV8"],[[128543,128543],"valid",[],"NV8"],[[128544,128549],"valid",[],"NV8"],[[128550,128551],"valid",[],"NV8"],[[128552,128555],"valid",[],"NV8"],[[128556,128556],"valid",[],"NV8"],[[128557,128557],"valid",[],"NV8"],[[128558,128559],"valid",[],"NV8"],[[128560,128563],"valid",[],"NV8"],[[128564,128564],"valid",[],"NV8"],[[128565,128576],"valid",[],"NV8"],[[128577,128578],"valid",[],"NV8"],[[128579,128580],"valid",[],"NV8"],[[128581,128591],"valid",[],"NV8"],[[128592,128639],"valid",[],"NV8"],[[128640,128709],"valid",[],"NV8"],[[128710,128719],"valid",[],"NV8"],[[128720,128720],"valid",[],"NV8"],[[128721,128735],"disallowed"],[[128736,128748],"valid",[],"NV8"],[[128749,128751],"disallowed"],[[128752,128755],"valid",[],"NV8"],[[128756,128767],"disallowed"],[[128768,128883],"valid",[],"NV8"],[[128884,128895],"disallowed"],[[128896,128980],"valid",[],"NV8"],[[128981,129023],"disallowed"],[[129024,129035],"valid",[],"NV8"],[[129036,129039],"disallowed"],[[129040,129095],"valid",[],"NV8"],[[129096,129103],"disallowed"],[[129104,129113],"valid",[],"NV8"],[[129114,129119],"disallowed"],[[129120,129159],"valid",[],"NV8"],[[129160,129167],"disallowed"],[[129168,129197],"valid",[],"NV8"],[[129198,129295],"disallowed"],[[129296,129304],"valid",[],"NV8"],[[129305,129407],"disallowed"],[[129408,129412],"valid",[],"NV8"],[[129413,129471],"disallowed"],[[129472,129472],"valid",[],"NV8"],[[129473,131069],"disallowed"],[[131070,131071],"disallowed"],[[131072,173782],"valid"],[[173783,173823],"disallowed"],[[173824,177972],"valid"],[[177973,177983],"disallowed"],[[177984,178205],"valid"],[[178206,178207],"disallowed"],[[178208,183969],"valid"],[[183970,194559],"disallowed"],[[194560,194560],"mapped",[20029]],[[194561,194561],"mapped",[20024]],[[194562,194562],"mapped",[20033]],[[194563,194563],"mapped",[131362]],[[194564,194564],"mapped",[20320]],[[194565,194565],"mapped",[20398]],[[194566,194566],"mapped",[20411]],[[194567,194567],"mapped",[20482]],[[194568,194568],"mapped",[20602]],[[194569,194569],"mapped",[20633]],[[194570,194570],"mapped",[20711]],[[194571,194571],"mapped",[20687]],[[194572,194572],"mapped",[13470]],[[194573,194573],"mapped",[132666]],[[194574,194574],"mapped",[20813]],[[194575,194575],"mapped",[20820]],[[194576,194576],"mapped",[20836]],[[194577,194577],"mapped",[20855]],[[194578,194578],"mapped",[132380]],[[194579,194579],"mapped",[13497]],[[194580,194580],"mapped",[20839]],[[194581,194581],"mapped",[20877]],[[194582,194582],"mapped",[132427]],[[194583,194583],"mapped",[20887]],[[194584,194584],"mapped",[20900]],[[194585,194585],"mapped",[20172]],[[194586,194586],"mapped",[20908]],[[194587,194587],"mapped",[20917]],[[194588,194588],"mapped",[168415]],[[194589,194589],"mapped",[20981]],[[194590,194590],"mapped",[20995]],[[194591,194591],"mapped",[13535]],[[194592,194592],"mapped",[21051]],[[194593,194593],"mapped",[21062]],[[194594,194594],"mapped",[21106]],[[194595,194595],"mapped",[21111]],[[194596,194596],"mapped",[13589]],[[194597,194597],"mapped",[21191]],[[194598,194598],"mapped",[21193]],[[194599,194599],"mapped",[21220]],[[194600,194600],"mapped",[21242]],[[194601,194601],"mapped",[21253]],[[194602,194602],"mapped",[21254]],[[194603,194603],"mapped",[21271]],[[194604,194604],"mapped",[21321]],[[194605,194605],"mapped",[21329]],[[194606,194606],"mapped",[21338]],[[194607,194607],"mapped",[21363]],[[194608,194608],"mapped",[21373]],[[194609,194611],"mapped",[21375]],[[194612,194612],"mapped",[133676]],[[194613,194613],"mapped",[28784]],[[194614,194614],"mapped",[21450]],[[194615,194615],"mapped",[21471]],[[194616,194616],"mapped",[133987]],[[194617,194617],"mapped",[21483]],[[194618,194618],"mapped",[21489]],[[194619,194619],"mapped",[21510]],[[194620,194620],"mapped",[21662]],[[194621,194621],"mapped",[21560]],[[194622,194622],"mapped",[21576]],[[194623,194623],"mapped",[21608]],[[194624,194624],"mapped",[21666]],[[194625,194625],"mapped",[21750]],[[194626,194626],"mapped",[21776]],[[194627,194627],"mapped",[21843]],[[194628,194628],"mapped",[21859]],[[194629,194630],"mapped",[21892]],[[194631,194631],"mapped",[21913]],[[194632,194632],"mapped",[21931]],[[194633,194633],"mapped",[21939]],[[194634,194634],"mapped",[21954]],[[194635,194635],"mapped",[22294]],[[194636,194636],"mapped",[22022]],[[194637,194637],"mapped",[22295]],[[194638,194638],"mapped",[22097]],[[194639,194639],"mapped",[22132]],[[194640,194640],"mapped",[20999]],[[194641,194641],"mapped",[22766]],[[194642,194642],"mapped",[22478]],[[194643,194643],"mapped",[22516]],[[194644,194644],"mapped",[22541]],[[194645,194645],"mapped",[22411]],[[194646,194646],"mapped",[22578]],[[194647,194647],"mapped",[22577]],[[194648,194648],"mapped",[22700]],[[194649,194649],"mapped",[136420]],[[194650,194650],"mapped",[22770]],[[194651,194651],"mapped",[22775]],[[194652,194652],"mapped",[22790]],[[194653,194653],"mapped",[22810]],[[194654,194654],"mapped",[22818]],[[194655,194655],"mapped",[22882]],[[194656,194656],"mapped",[136872]],[[194657,194657],"mapped",[136938]],[[194658,194658],"mapped",[23020]],[[194659,194659],"mapped",[23067]],[[194660,194660],"mapped",[23079]],[[194661,194661],"mapped",[23000]],[[194662,194662],"mapped",[23142]],[[194663,194663],"mapped",[14062]],[[194664,194664],"disallowed"],[[194665,194665],"mapped",[23304]],[[194666,194667],"mapped",[23358]],[[194668,194668],"mapped",[137672]],[[194669,194669],"mapped",[23491]],[[194670,194670],"mapped",[23512]],[[194671,194671],"mapped",[23527]],[[194672,194672],"mapped",[23539]],[[194673,194673],"mapped",[138008]],[[194674,194674],"mapped",[23551]],[[194675,194675],"mapped",[23558]],[[194676,194676],"disallowed"],[[194677,194677],"mapped",[23586]],[[194678,194678],"mapped",[14209]],[[194679,194679],"mapped",[23648]],[[194680,194680],"mapped",[23662]],[[194681,194681],"mapped",[23744]],[[194682,194682],"mapped",[23693]],[[194683,194683],"mapped",[138724]],[[194684,194684],"mapped",[23875]],[[194685,194685],"mapped",[138726]],[[194686,194686],"mapped",[23918]],[[194687,194687],"mapped",[23915]],[[194688,194688],"mapped",[23932]],[[194689,194689],"mapped",[24033]],[[194690,194690],"mapped",[24034]],[[194691,194691],"mapped",[14383]],[[194692,194692],"mapped",[24061]],[[194693,194693],"mapped",[24104]],[[194694,194694],"mapped",[24125]],[[194695,194695],"mapped",[24169]],[[194696,194696],"mapped",[14434]],[[194697,194697],"mapped",[139651]],[[194698,194698],"mapped",[14460]],[[194699,194699],"mapped",[24240]],[[194700,194700],"mapped",[24243]],[[194701,194701],"mapped",[24246]],[[194702,194702],"mapped",[24266]],[[194703,194703],"mapped",[172946]],[[194704,194704],"mapped",[24318]],[[194705,194706],"mapped",[140081]],[[194707,194707],"mapped",[33281]],[[194708,194709],"mapped",[24354]],[[194710,194710],"mapped",[14535]],[[194711,194711],"mapped",[144056]],[[194712,194712],"mapped",[156122]],[[194713,194713],"mapped",[24418]],[[194714,194714],"mapped",[24427]],[[194715,194715],"mapped",[14563]],[[194716,194716],"mapped",[24474]],[[194717,194717],"mapped",[24525]],[[194718,194718],"mapped",[24535]],[[194719,194719],"mapped",[24569]],[[194720,194720],"mapped",[24705]],[[194721,194721],"mapped",[14650]],[[194722,194722],"mapped",[14620]],[[194723,194723],"mapped",[24724]],[[194724,194724],"mapped",[141012]],[[194725,194725],"mapped",[24775]],[[194726,194726],"mapped",[24904]],[[194727,194727],"mapped",[24908]],[[194728,194728],"mapped",[24910]],[[194729,194729],"mapped",[24908]],[[194730,194730],"mapped",[24954]],[[194731,194731],"mapped",[24974]],[[194732,194732],"mapped",[25010]],[[194733,194733],"mapped",[24996]],[[194734,194734],"mapped",[25007]],[[194735,194735],"mapped",[25054]],[[194736,194736],"mapped",[25074]],[[194737,194737],"mapped",[25078]],[[194738,194738],"mapped",[25104]],[[194739,194739],"mapped",[25115]],[[194740,194740],"mapped",[25181]],[[194741,194741],"mapped",[25265]],[[194742,194742],"mapped",[25300]],[[194743,194743],"mapped",[25424]],[[194744,194744],"mapped",[142092]],[[194745,194745],"mapped",[25405]],[[194746,194746],"mapped",[25340]],[[194747,194747],"mapped",[25448]],[[194748,194748],"mapped",[25475]],[[194749,194749],"mapped",[25572]],[[194750,194750],"mapped",[142321]],[[194751,194751],"mapped",[25634]],[[194752,194752],"mapped",[25541]],[[194753,194753],"mapped",[25513]],[[194754,194754],"mapped",[14894]],[[194755,194755],"mapped",[25705]],[[194756,194756],"mapped",[25726]],[[194757,194757],"mapped",[25757]],[[194758,194758],"mapped",[25719]],[[194759,194759],"mapped",[14956]],[[194760,194760],"mapped",[25935]],[[194761,194761],"mapped",[25964]],[[194762,194762],"mapped",[143370]],[[194763,194763],"mapped",[26083]],[[194764,194764],"mapped",[26360]],[[194765,194765],"mapped",[26185]],[[194766,194766],"mapped",[15129]],[[194767,194767],"mapped",[26257]],[[194768,194768],"mapped",[15112]],[[194769,194769],"mapped",[15076]],[[194770,194770],"mapped",[20882]],[[194771,194771],"mapped",[20885]],[[194772,194772],"mapped",[26368]],[[194773,194773],"mapped",[26268]],[[194774,194774],"mapped",[32941]],[[194775,194775],"mapped",[17369]],[[194776,194776],"mapped",[26391]],[[194777,194777],"mapped",[26395]],[[194778,194778],"mapped",[26401]],[[194779,194779],"mapped",[26462]],[[194780,194780],"mapped",[26451]],[[194781,194781],"mapped",[144323]],[[194782,194782],"mapped",[15177]],[[194783,194783],"mapped",[26618]],[[194784,194784],"mapped",[26501]],[[194785,194785],"mapped",[26706]],[[194786,194786],"mapped",[26757]],[[194787,194787],"mapped",[144493]],[[194788,194788],"mapped",[26766]],[[194789,194789],"mapped",[26655]],[[194790,194790],"mapped",[26900]],[[194791,194791],"mapped",[15261]],[[194792,194792],"mapped",[26946]],[[194793,194793],"mapped",[27043]],[[194794,194794],"mapped",[27114]],[[194795,194795],"mapped",[27304]],[[194796,194796],"mapped",[145059]],[[194797,194797],"mapped",[27355]],[[194798,194798],"mapped",[15384]],[[194799,194799],"mapped",[27425]],[[194800,194800],"mapped",[145575]],[[194801,194801],"mapped",[27476]],[[194802,194802],"mapped",[15438]],[[194803,194803],"mapped",[27506]],[[194804,194804],"mapped",[27551]],[[194805,194805],"mapped",[27578]],[[194806,194806],"mapped",[27579]],[[194807,194807],"mapped",[146061]],[[194808,194808],"mapped",[138507]],[[194809,194809],"mapped",[146170]],[[194810,194810],"mapped",[27726]],[[194811,194811],"mapped",[146620]],[[194812,194812],"mapped",[27839]],[[194813,194813],"mapped",[27853]],[[194814,194814],"mapped",[27751]],[[194815,194815],"mapped",[27926]],[[194816,194816],"mapped",[27966]],[[194817,194817],"mapped",[28023]],[[194818,194818],"mapped",[27969]],[[194819,194819],"mapped",[28009]],[[194820,194820],"mapped",[28024]],[[194821,194821],"mapped",[28037]],[[194822,194822],"mapped",[146718]],[[194823,194823],"mapped",[27956]],[[194824,194824],"mapped",[28207]],[[194825,194825],"mapped",[28270]],[[194826,194826],"mapped",[15667]],[[194827,194827],"mapped",[28363]],[[194828,194828],"mapped",[28359]],[[194829,194829],"mapped",[147153]],[[194830,194830],"mapped",[28153]],[[194831,194831],"mapped",[28526]],[[194832,194832],"mapped",[147294]],[[194833,194833],"mapped",[147342]],[[194834,194834],"mapped",[28614]],[[194835,194835],"mapped",[28729]],[[194836,194836],"mapped",[28702]],[[194837,194837],"mapped",[28699]],[[194838,194838],"mapped",[15766]],[[194839,194839],"mapped",[28746]],[[194840,194840],"mapped",[28797]],[[194841,194841],"mapped",[28791]],[[194842,194842],"mapped",[28845]],[[194843,194843],"mapped",[132389]],[[194844,194844],"mapped",[28997]],[[194845,194845],"mapped",[148067]],[[194846,194846],"mapped",[29084]],[[194847,194847],"disallowed"],[[194848,194848],"mapped",[29224]],[[194849,194849],"mapped",[29237]],[[194850,194850],"mapped",[29264]],[[194851,194851],"mapped",[149000]],[[194852,194852],"mapped",[29312]],[[194853,194853],"mapped",[29333]],[[194854,194854],"mapped",[149301]],[[194855,194855],"mapped",[149524]],[[194856,194856],"mapped",[29562]],[[194857,194857],"mapped",[29579]],[[194858,194858],"mapped",[16044]],[[194859,194859],"mapped",[29605]],[[194860,194861],"mapped",[16056]],[[194862,194862],"mapped",[29767]],[[194863,194863],"mapped",[29788]],[[194864,194864],"mapped",[29809]],[[194865,194865],"mapped",[29829]],[[194866,194866],"mapped",[29898]],[[194867,194867],"mapped",[16155]],[[194868,194868],"mapped",[29988]],[[194869,194869],"mapped",[150582]],[[194870,194870],"mapped",[30014]],[[194871,194871],"mapped",[150674]],[[194872,194872],"mapped",[30064]],[[194873,194873],"mapped",[139679]],[[194874,194874],"mapped",[30224]],[[194875,194875],"mapped",[151457]],[[194876,194876],"mapped",[151480]],[[194877,194877],"mapped",[151620]],[[194878,194878],"mapped",[16380]],[[194879,194879],"mapped",[16392]],[[194880,194880],"mapped",[30452]],[[194881,194881],"mapped",[151795]],[[194882,194882],"mapped",[151794]],[[194883,194883],"mapped",[151833]],[[194884,194884],"mapped",[151859]],[[194885,194885],"mapped",[30494]],[[194886,194887],"mapped",[30495]],[[194888,194888],"mapped",[30538]],[[194889,194889],"mapped",[16441]],[[194890,194890],"mapped",[30603]],[[194891,194891],"mapped",[16454]],[[194892,194892],"mapped",[16534]],[[194893,194893],"mapped",[152605]],[[194894,194894],"mapped",[30798]],[[194895,194895],"mapped",[30860]],[[194896,194896],"mapped",[30924]],[[194897,194897],"mapped",[16611]],[[194898,194898],"mapped",[153126]],[[194899,194899],"mapped",[31062]],[[194900,194900],"mapped",[153242]],[[194901,194901],"mapped",[153285]],[[194902,194902],"mapped",[31119]],[[194903,194903],"mapped",[31211]],[[194904,194904],"mapped",[16687]],[[194905,194905],"mapped",[31296]],[[194906,194906],"mapped",[31306]],[[194907,194907],"mapped",[31311]],[[194908,194908],"mapped",[153980]],[[194909,194910],"mapped",[154279]],[[194911,194911],"disallowed"],[[194912,194912],"mapped",[16898]],[[194913,194913],"mapped",[154539]],[[194914,194914],"mapped",[31686]],[[194915,194915],"mapped",[31689]],[[194916,194916],"mapped",[16935]],[[194917,194917],"mapped",[154752]],[[194918,194918],"mapped",[31954]],[[194919,194919],"mapped",[17056]],[[194920,194920],"mapped",[31976]],[[194921,194921],"mapped",[31971]],[[194922,194922],"mapped",[32000]],[[194923,194923],"mapped",[155526]],[[194924,194924],"mapped",[32099]],[[194925,194925],"mapped",[17153]],[[194926,194926],"mapped",[32199]],[[194927,194927],"mapped",[32258]],[[194928,194928],"mapped",[32325]],[[194929,194929],"mapped",[17204]],[[194930,194930],"mapped",[156200]],[[194931,194931],"mapped",[156231]],[[194932,194932],"mapped",[17241]],[[194933,194933],"mapped",[156377]],[[194934,194934],"mapped",[32634]],[[194935,194935],"mapped",[156478]],[[194936,194936],"mapped",[32661]],[[194937,194937],"mapped",[32762]],[[194938,194938],"mapped",[32773]],[[194939,194939],"mapped",[156890]],[[194940,194940],"mapped",[156963]],[[194941,194941],"mapped",[32864]],[[194942,194942],"mapped",[157096]],[[194943,194943],"mapped",[32880]],[[194944,194944],"mapped",[144223]],[[194945,194945],"mapped",[17365]],[[194946,194946],"mapped",[32946]],[[194947,194947],"mapped",[33027]],[[194948,194948],"mapped",[17419]],[[194949,194949],"mapped",[33086]],[[194950,194950],"mapped",[23221]],[[194951,194951],"mapped",[157607]],[[194952,194952],"mapped",[157621]],[[194953,194953],"mapped",[144275]],[[194954,194954],"mapped",[144284]],[[194955,194955],"mapped",[33281]],[[194956,194956],"mapped",[33284]],[[194957,194957],"mapped",[36766]],[[194958,194958],"mapped",[17515]],[[194959,194959],"mapped",[33425]],[[194960,194960],"mapped",[33419]],[[194961,194961],"mapped",[33437]],[[194962,194962],"mapped",[21171]],[[194963,194963],"mapped",[33457]],[[194964,194964],"mapped",[33459]],[[194965,194965],"mapped",[33469]],[[194966,194966],"mapped",[33510]],[[194967,194967],"mapped",[158524]],[[194968,194968],"mapped",[33509]],[[194969,194969],"mapped",[33565]],[[194970,194970],"mapped",[33635]],[[194971,194971],"mapped",[33709]],[[194972,194972],"mapped",[33571]],[[194973,194973],"mapped",[33725]],[[194974,194974],"mapped",[33767]],[[194975,194975],"mapped",[33879]],[[194976,194976],"mapped",[33619]],[[194977,194977],"mapped",[33738]],[[194978,194978],"mapped",[33740]],[[194979,194979],"mapped",[33756]],[[194980,194980],"mapped",[158774]],[[194981,194981],"mapped",[159083]],[[194982,194982],"mapped",[158933]],[[194983,194983],"mapped",[17707]],[[194984,194984],"mapped",[34033]],[[194985,194985],"mapped",[34035]],[[194986,194986],"mapped",[34070]],[[194987,194987],"mapped",[160714]],[[194988,194988],"mapped",[34148]],[[194989,194989],"mapped",[159532]],[[194990,194990],"mapped",[17757]],[[194991,194991],"mapped",[17761]],[[194992,194992],"mapped",[159665]],[[194993,194993],"mapped",[159954]],[[194994,194994],"mapped",[17771]],[[194995,194995],"mapped",[34384]],[[194996,194996],"mapped",[34396]],[[194997,194997],"mapped",[34407]],[[194998,194998],"mapped",[34409]],[[194999,194999],"mapped",[34473]],[[195000,195000],"mapped",[34440]],[[195001,195001],"mapped",[34574]],[[195002,195002],"mapped",[34530]],[[195003,195003],"mapped",[34681]],[[195004,195004],"mapped",[34600]],[[195005,195005],"mapped",[34667]],[[195006,195006],"mapped",[34694]],[[195007,195007],"disallowed"],[[195008,195008],"mapped",[34785]],[[195009,195009],"mapped",[34817]],[[195010,195010],"mapped",[17913]],[[195011,195011],"mapped",[34912]],[[195012,195012],"mapped",[34915]],[[195013,195013],"mapped",[161383]],[[195014,195014],"mapped",[35031]],[[195015,195015],"mapped",[35038]],[[195016,195016],"mapped",[17973]],[[195017,195017],"mapped",[35066]],[[195018,195018],"mapped",[13499]],[[195019,195019],"mapped",[161966]],[[195020,195020],"mapped",[162150]],[[195021,195021],"mapped",[18110]],[[195022,195022],"mapped",[18119]],[[195023,195023],"mapped",[35488]],[[195024,195024],"mapped",[35565]],[[195025,195025],"mapped",[35722]],[[195026,195026],"mapped",[35925]],[[195027,195027],"mapped",[162984]],[[195028,195028],"mapped",[36011]],[[195029,195029],"mapped",[36033]],[[195030,195030],"mapped",[36123]],[[195031,195031],"mapped",[36215]],[[195032,195032],"mapped",[163631]],[[195033,195033],"mapped",[133124]],[[195034,195034],"mapped",[36299]],[[195035,195035],"mapped",[36284]],[[195036,195036],"mapped",[36336]],[[195037,195037],"mapped",[133342]],[[195038,195038],"mapped",[36564]],[[195039,195039],"mapped",[36664]],[[195040,195040],"mapped",[165330]],[[195041,195041],"mapped",[165357]],[[195042,195042],"mapped",[37012]],[[195043,195043],"mapped",[37105]],[[195044,195044],"mapped",[37137]],[[195045,195045],"mapped",[165678]],[[195046,195046],"mapped",[37147]],[[195047,195047],"mapped",[37432]],[[195048,195048],"mapped",[37591]],[[195049,195049],"mapped",[37592]],[[195050,195050],"mapped",[37500]],[[195051,195051],"mapped",[37881]],[[195052,195052],"mapped",[37909]],[[195053,195053],"mapped",[166906]],[[195054,195054],"mapped",[38283]],[[195055,195055],"mapped",[18837]],[[195056,195056],"mapped",[38327]],[[195057,195057],"mapped",[167287]],[[195058,195058],"mapped",[18918]],[[195059,195059],"mapped",[38595]],[[195060,195060],"mapped",[23986]],[[195061,195061],"mapped",[38691]],[[195062,195062],"mapped",[168261]],[[195063,195063],"mapped",[168474]],[[195064,195064],"mapped",[19054]],[[195065,195065],"mapped",[19062]],[[195066,195066],"mapped",[38880]],[[195067,195067],"mapped",[168970]],[[195068,195068],"mapped",[19122]],[[195069,195069],"mapped",[169110]],[[195070,195071],"mapped",[38923]],[[195072,195072],"mapped",[38953]],[[195073,195073],"mapped",[169398]],[[195074,195074],"mapped",[39138]],[[195075,195075],"mapped",[19251]],[[195076,195076],"mapped",[39209]],[[195077,195077],"mapped",[39335]],[[195078,195078],"mapped",[39362]],[[195079,195079],"mapped",[39422]],[[195080,195080],"mapped",[19406]],[[195081,195081],"mapped",[170800]],[[195082,195082],"mapped",[39698]],[[195083,195083],"mapped",[40000]],[[195084,195084],"mapped",[40189]],[[195085,195085],"mapped",[19662]],[[195086,195086],"mapped",[19693]],[[195087,195087],"mapped",[40295]],[[195088,195088],"mapped",[172238]],[[195089,195089],"mapped",[19704]],[[195090,195090],"mapped",[172293]],[[195091,195091],"mapped",[172558]],[[195092,195092],"mapped",[172689]],[[195093,195093],"mapped",[40635]],[[195094,195094],"mapped",[19798]],[[195095,195095],"mapped",[40697]],[[195096,195096],"mapped",[40702]],[[195097,195097],"mapped",[40709]],[[195098,195098],"mapped",[40719]],[[195099,195099],"mapped",[40726]],[[195100,195100],"mapped",[40763]],[[195101,195101],"mapped",[173568]],[[195102,196605],"disallowed"],[[196606,196607],"disallowed"],[[196608,262141],"disallowed"],[[262142,262143],"disallowed"],[[262144,327677],"disallowed"],[[327678,327679],"disallowed"],[[327680,393213],"disallowed"],[[393214,393215],"disallowed"],[[393216,458749],"disallowed"],[[458750,458751],"disallowed"],[[458752,524285],"disallowed"],[[524286,524287],"disallowed"],[[524288,589821],"disallowed"],[[589822,589823],"disallowed"],[[589824,655357],"disallowed"],[[655358,655359],"disallowed"],[[655360,720893],"disallowed"],[[720894,720895],"disallowed"],[[720896,786429],"disallowed"],[[786430,786431],"disallowed"],[[786432,851965],"disallowed"],[[851966,851967],"disallowed"],[[851968,917501],"disallowed"],[[917502,917503],"disallowed"],[[917504,917504],"disallowed"],[[917505,917505],"disallowed"],[[917506,917535],"disallowed"],[[917536,917631],"disallowed"],[[917632,917759],"disallowed"],[[917760,917999],"ignored"],[[918000,983037],"disallowed"],[[983038,983039],"disallowed"],[[983040,1048573],"disallowed"],[[1048574,1048575],"disallowed"],[[1048576,1114109],"disallowed"],[[1114110,1114111],"disallowed"]]');

/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId].call(module.exports, module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/compat get default export */
/******/ (() => {
/******/ 	// getDefaultExport function for compatibility with non-harmony modules
/******/ 	__nccwpck_require__.n = (module) => {
/******/ 		var getter = module && module.__esModule ?
/******/ 			() => (module['default']) :
/******/ 			() => (module);
/******/ 		__nccwpck_require__.d(getter, { a: getter });
/******/ 		return getter;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/************************************************************************/
var __webpack_exports__ = {};

;// CONCATENATED MODULE: ./package.json
const package_namespaceObject = {"rE":"1.0.0"};
;// CONCATENATED MODULE: ./src/base/errors.ts
/**
 * The run's one error family. Every failure that crosses a module boundary is one of these, and every
 * caller acts on the class (and on `errorClass` / `code`), never on message text:
 * - ConfigError: a mistake only the workflow's author can fix; always fails the step (CLI exit 2).
 * - UsageError: a command line the CLI cannot read (exit 2).
 * - NetworkError: no HTTP answer at all (refused, reset, DNS, TLS, timeout), with the system's code.
 * - AlibabaError: a failed API call, sorted into an ErrorClass once, in alibaba/errors.ts.
 * A feature's own errors live with it and extend Error (sitemap/errors.ts: a document not found or
 * unreadable), so that only what every phase shares is here.
 */
/** A mistake in the inputs: always fails the step, whatever `fail-on` says. */
class ConfigError extends Error {
    /** The input (action.yml name) the message is about, when there is one. */
    input;
    constructor(message, input) {
        super(message);
        this.name = 'ConfigError';
        this.input = input;
    }
}
/** A command line the CLI cannot parse: an unknown flag, a missing value. */
class UsageError extends Error {
    constructor(message) {
        super(message);
        this.name = 'UsageError';
    }
}
/** An HTTP failure before any answer arrived: connection refused or reset, DNS, TLS, timeout. */
class NetworkError extends Error {
    url;
    timedOut;
    cause;
    constructor(message, url, timedOut, cause) {
        super(message);
        this.url = url;
        this.timedOut = timedOut;
        this.cause = cause;
        this.name = 'NetworkError';
    }
    /** The system's error code (ECONNREFUSED, ECONNRESET, ENOTFOUND, ...), from the cause chain. */
    get code() {
        return systemErrorCode(this.cause);
    }
}
/** The `code` of an error or of the first error in its cause chain that has one. */
function systemErrorCode(error) {
    for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
        const code = current.code;
        if (typeof code === 'string' && code !== '')
            return code;
        current = current.cause;
    }
    return undefined;
}
/** Whether a call that failed with this class may be sent again. */
function isRetryable(errorClass) {
    return errorClass === 'throttled' || errorClass === 'transient' || errorClass === 'queue-full';
}
/** Whether this class means no further call can succeed, so the run must stop. */
function isFatal(errorClass) {
    return errorClass === 'credentials' || errorClass === 'permission';
}
/** A failed call: an API error, a network failure, or an answer that is not the API's. */
class AlibabaError extends Error {
    action;
    errorClass;
    code;
    httpStatus;
    requestId;
    retryAfterMs;
    outcomeUnknown;
    advice;
    constructor(message, details) {
        super(message);
        this.name = 'AlibabaError';
        this.action = details.action;
        this.errorClass = details.errorClass;
        this.code = details.code;
        this.httpStatus = details.httpStatus;
        this.requestId = details.requestId;
        this.retryAfterMs = details.retryAfterMs;
        this.outcomeUnknown = details.outcomeUnknown ?? false;
        this.advice = details.advice;
    }
}
/** The message of anything thrown, for the one place that reports failures. */
function errorMessage(error) {
    if (error instanceof Error)
        return error.message;
    return String(error);
}

;// CONCATENATED MODULE: ./src/base/limits.ts
/** Alibaba's own ceilings: the API refuses more, so the inputs may not ask for more. */
const LIMITS = {
    maxBatchSize: 100,
    maxRequestsPerSecond: 50,
};

;// CONCATENATED MODULE: ./src/site/ignore.ts
/**
 * `content-ignore`: regular expressions, one a line, whose matches are removed from a text file before
 * it is hashed, for generators that stamp build times or random ids into every page (MkDocs' `Build
 * Date UTC : …` comment, Hexo's timestamps and `cuid` ids). A redeploy with no content change then
 * hashes the same as the deploy before it.
 */

/**
 * Compiles the input's lines; blank lines are skipped (a pattern with surrounding spaces must use
 * `\s` or `[ ]`, since lines are trimmed). Patterns are JavaScript regular expressions without flags.
 * Throws a ConfigError naming `content-ignore` and the line for one that does not compile.
 */
function compileContentIgnore(text) {
    const patterns = [];
    (text ?? '').split(/\r?\n/).forEach((line, i) => {
        const source = line.trim();
        if (source === '')
            return;
        let pattern;
        try {
            pattern = new RegExp(source, 'g');
        }
        catch (error) {
            // V8 says `Invalid regular expression: /<source>/g: Unterminated group`: keep what is wrong.
            const why = error instanceof Error ? error.message.replace(/^Invalid regular expression: \/.*\/g: /s, '') : '';
            throw new ConfigError(`content-ignore: line ${i + 1} "${source}" is not a valid regular expression (${why}).`, 'content-ignore');
        }
        patterns.push(pattern);
    });
    return { patterns };
}
/** `text` with every match of every pattern removed (the same text when nothing matched). */
function removeIgnored(text, ignore) {
    let result = text;
    for (const pattern of ignore.patterns)
        result = result.replace(pattern, '');
    return result;
}

;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");
;// CONCATENATED MODULE: external "node:path"
const external_node_path_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");
var external_node_path_default = /*#__PURE__*/__nccwpck_require__.n(external_node_path_namespaceObject);
;// CONCATENATED MODULE: external "node:buffer"
const external_node_buffer_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:buffer");
;// CONCATENATED MODULE: external "node:crypto"
const external_node_crypto_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");
;// CONCATENATED MODULE: ./src/site/html.ts
/**
 * A page's own content: its `<main>` element, else the `<div role="main">` that stands for one (the
 * main landmark of MkDocs', Read the Docs' and Sphinx's themes), else its `<article>` elements, else its
 * `<body>`. When a
 * page's bytes change but its own content does not, only the navigation around it changed (a new post
 * rewrites the sidebar of every page), and it can wait behind pages whose content changed.
 *
 * Not a DOM parser, but enough of a tokenizer for what generators write: tag names in any case,
 * attributes (quoted values may hold `>`), comments, raw-text elements (`<script>`, `<style>`, ...)
 * whose text may mention `</main>`, nested `<article>`s, and missing end tags (an unclosed element
 * ends where `</body>` is, else at the end of the file). A full parser (parse5: 5x the bundle) would
 * build a tree of every page only to find two offsets.
 *
 * It works on the bytes read as latin1, one character per byte, so that offsets are byte offsets and
 * the hash is taken over the file's own bytes without decoding UTF-8.
 */
/** Elements whose text is not markup: a `<main>` inside a script's string is not an element. */
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes']);
const TAGS = /<(?:!--|(\/?)(main|article|body|script|style|textarea|title|xmp|iframe|noembed|noframes)(?=[\s/>]|$))/gi;
/** The same, with `<div>`: only for a page that has a `role="main"` at all (most pages' divs are not worth a look). */
const TAGS_AND_DIVS = new RegExp(TAGS.source.replace('(main|', '(main|div|'), 'gi');
/** A quick look for the page: a literal start is a fast scan, where ROLE_MAIN's is not. */
const ROLE_MAIN_SOMEWHERE = /role\s*=\s*["']?main/i;
/** `role="main"` (or `role=main`) as an attribute of its own: not `data-role="main"`. */
const ROLE_MAIN = /(?:^|[\s"'])role\s*=\s*["']?main(?=["'\s/>]|$)/i;
const CLOSERS = new Map([...RAW_TEXT].map((name) => [name, new RegExp(`</${name}(?=[\\s/>]|$)`, 'gi')]));
/** The own content of the page in `html` (latin1), or undefined when it has none of the four elements. */
function ownContent(html) {
    let found = html_elements(html, false);
    // Divs are looked at only on a page without <main> that has a role="main" somewhere: most pages'
    // hundreds of divs would cost a <main> page a third more time for nothing.
    if (found.main.ranges.length === 0 && ROLE_MAIN_SOMEWHERE.test(html))
        found = html_elements(html, true);
    for (const target of [found.main, found.landmark, found.article, found.body])
        if (target.ranges.length > 0)
            return target.ranges;
    return undefined;
}
/** One pass of the tokenizer over the page: where each element stands. */
function html_elements(html, divs) {
    const found = { main: html_element(), landmark: html_element(), article: html_element(), body: html_element() };
    let bodyEnd = -1;
    const tags = new RegExp(divs ? TAGS_AND_DIVS : TAGS); // its own lastIndex: this function is reentrant
    for (let match = tags.exec(html); match !== null; match = tags.exec(html)) {
        if (match[0] === '<!--') {
            const end = html.indexOf('-->', match.index + 4);
            if (end === -1)
                break; // the rest of the file is a comment
            tags.lastIndex = end + 3;
            continue;
        }
        const name = match[2].toLowerCase();
        const tagEnd = endOfTag(html, match.index + match[0].length);
        if (tagEnd === -1)
            break;
        tags.lastIndex = tagEnd;
        const closing = match[1] === '/';
        if (RAW_TEXT.has(name)) {
            if (!closing && !skipRawText(html, name, tags))
                break;
            continue;
        }
        if (name === 'div') {
            const attributes = html.slice(match.index + match[0].length, tagEnd);
            landmarkDiv(found.landmark, closing, closing ? false : ROLE_MAIN.test(attributes), tagEnd, match.index);
            continue;
        }
        const target = found[name];
        if (!closing) {
            // Parsers merge a second <body> into the first; <main> and <article> may nest.
            if (target.depth === 0)
                target.start = tagEnd;
            if (target.depth === 0 || name !== 'body')
                target.depth++;
        }
        else if (target.depth > 0 && --target.depth === 0) {
            target.ranges.push([target.start, match.index]);
            if (name === 'body' && bodyEnd === -1)
                bodyEnd = match.index;
        }
    }
    for (const target of Object.values(found)) {
        if (target.depth > 0)
            target.ranges.push([target.start, bodyEnd > target.start ? bodyEnd : html.length]);
    }
    return found;
}
/**
 * Follows the first `<div role="main">`: every `<div>` inside it opens a level, every `</div>` closes
 * one, and the last closes it. A page has one main landmark; a later one is not looked at.
 */
function landmarkDiv(landmark, closing, isMain, tagEnd, tagStart) {
    if (landmark.depth === 0) {
        if (!closing && isMain && landmark.ranges.length === 0) {
            landmark.start = tagEnd;
            landmark.depth = 1;
        }
        return;
    }
    if (!closing)
        landmark.depth++;
    else if (--landmark.depth === 0)
        landmark.ranges.push([landmark.start, tagStart]);
}
function html_element() {
    return { depth: 0, start: 0, ranges: [] };
}
/**
 * The offset just past the `>` that ends the tag whose attributes start at `from`, or -1. A quoted
 * attribute value may contain `>`; a quote that does not follow `=` is an ordinary character.
 */
function endOfTag(html, from) {
    let afterEquals = false;
    for (let i = from; i < html.length; i++) {
        const c = html.charCodeAt(i);
        if (c === 0x3e /* > */)
            return i + 1;
        if ((c === 0x22 /* " */ || c === 0x27) /* ' */ && afterEquals) {
            const close = html.indexOf(c === 0x22 ? '"' : "'", i + 1);
            if (close === -1)
                return -1;
            i = close;
            afterEquals = false;
        }
        else if (c === 0x3d /* = */) {
            afterEquals = true;
        }
        else if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) {
            afterEquals = false;
        }
    }
    return -1;
}
/** Moves `tags` past the end tag of the raw-text element `name`; false when there is none. */
function skipRawText(html, name, tags) {
    const closer = CLOSERS.get(name);
    closer.lastIndex = tags.lastIndex;
    const close = closer.exec(html);
    if (close === null)
        return false;
    const end = endOfTag(html, close.index + close[0].length);
    if (end === -1)
        return false;
    tags.lastIndex = end;
    return true;
}

;// CONCATENATED MODULE: ./src/site/hash.ts
/**
 * A site file's hashes: the whole file (after `content-ignore`), and for an HTML page its own content
 * as well (see html.ts). SHA-256, cut to 96 bits for the state (see state/state.ts for why that is
 * enough).
 */




/**
 * Files up to this size are read whole (and can be text or HTML); larger ones are hashed raw, in
 * chunks, by the reader thread (read.ts), with neither `content-ignore` nor an own-content hash.
 */
const WHOLE_FILE_LIMIT = 16 * 1024 * 1024;
const HTML = /\.(?:html?|xhtml)$/i;
function isHtmlFile(file) {
    return HTML.test(file);
}
/** SHA-256 in the 96-bit base64url form the state keeps (16 characters = 96 bits; read.ts too). */
function hash_short(bytes) {
    // From the digest's first 12 bytes: a string of its own (a slice of a longer one would keep it alive).
    return (0,external_node_crypto_namespaceObject.hash)('sha256', bytes, 'buffer').toString('base64url', 0, 12);
}
/** Whether `bytes` count as text for `content-ignore`: UTF-8 without NUL bytes. */
function isText(bytes) {
    return !bytes.includes(0) && (0,external_node_buffer_namespaceObject.isUtf8)(bytes);
}
/**
 * The hashes of a file's bytes; `html` for .html/.htm/.xhtml files. `before` is the file's hashes in the
 * previous state: a page whose content hash is the same keeps its own-content hash (same bytes, same
 * own content), so that only changed pages are parsed — on a large site, most of the CPU time.
 */
function hashBytes(bytes, html, ignore, before) {
    let data = bytes;
    if (ignore !== undefined && ignore.patterns.length > 0 && isText(bytes)) {
        const text = bytes.toString('utf8');
        const kept = removeIgnored(text, ignore);
        if (kept !== text)
            data = Buffer.from(kept, 'utf8');
    }
    const content = hash_short(data);
    if (!html)
        return { content };
    if (before?.own !== undefined && before.content === content)
        return { content, own: before.own };
    const ranges = ownContent(data.toString('latin1'));
    if (ranges === undefined)
        return { content };
    if (ranges.length === 1)
        return { content, own: hash_short(data.subarray(ranges[0][0], ranges[0][1])) };
    const own = (0,external_node_crypto_namespaceObject.createHash)('sha256');
    for (const [start, end] of ranges)
        own.update(data.subarray(start, end)).update('\0');
    return { content, own: own.digest().toString('base64url', 0, 12) };
}

;// CONCATENATED MODULE: external "node:worker_threads"
const external_node_worker_threads_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:worker_threads");
;// CONCATENATED MODULE: ./src/site/read.ts
/**
 * Reads the site's files on reader threads, in batches, while the main thread hashes what has arrived.
 *
 * Why threads: a built site is many small files, and opening, reading and closing each one costs more
 * than hashing it. Through libuv's thread pool each of those calls is a round trip to the main thread
 * (measured: 2x slower than reading synchronously); synchronous reads on the main thread leave the
 * hashing waiting on them. READERS threads doing synchronous reads overlap the reading with the hashing.
 *
 * Bounded: each reader keeps at most MAX_IN_FLIGHT batches of BATCH_BYTES ahead of the hashing; a
 * batch's memory is handed over (transferred, not copied), and handed back once hashed to be refilled.
 * A file over `wholeFileLimit` is not sent: its reader hashes it in chunks (SHA-256, base64url, cut
 * to 16 characters as the state keeps hashes: see hash.ts).
 *
 * The readers' code is a plain JavaScript string run with `eval: true`, so that it needs no file of its
 * own beside the bundle; it only reads, so it is short. It loads its modules with import(), which works
 * whether the worker starts as CommonJS or as an ES module.
 */

/** Two readers: one keeps a core busy with system calls; two also share the work on a busy machine. */
const READERS = 2;
const BATCH_BYTES = 2 * 1024 * 1024;
const MAX_IN_FLIGHT = 2;
/** Files are dealt to the readers in runs of this many, in turn, so that both finish at about the same time. */
const CHUNK_FILES = 256;
const READER = `
(async () => {
  const { parentPort, workerData } = await import('node:worker_threads');
  const fs = await import('node:fs');
  const path = await import('node:path');
  const { createHash } = await import('node:crypto');
  const { root, files, batchBytes, maxInFlight, wholeFileLimit, reader, readers, chunkFiles } = workerData;
  // Batches come back once hashed: at most maxInFlight + 1 full-size ones ever exist.
  const free = [];
  let inFlight = 0;
  let wake;
  parentPort.on('message', (returned) => {
    inFlight--;
    if (returned.byteLength === batchBytes) free.push(returned);
    if (wake) { const w = wake; wake = undefined; w(); }
  });
  const post = async (message) => {
    parentPort.postMessage(message, [message.batch]);
    inFlight++;
    while (inFlight >= maxInFlight) await new Promise((resolve) => { wake = resolve; });
  };
  let batch = free.pop() ?? new ArrayBuffer(batchBytes);
  let view = new Uint8Array(batch);
  let used = 0;
  let entries = [];
  let hashes = [];
  const flush = async () => {
    if (entries.length === 0) return;
    await post({ batch, entries, hashes });
    batch = free.pop() ?? new ArrayBuffer(batchBytes);
    view = new Uint8Array(batch);
    used = 0;
    entries = [];
    hashes = [];
  };
  // Reads from the file's position into view[at, end) until it is full or the file ends.
  const fill = (fd, target, at, end) => {
    let filled = at;
    while (filled < end) {
      const read = fs.readSync(fd, target, filled, end - filled, null);
      if (read === 0) break;
      filled += read;
    }
    return filled - at;
  };
  const hashWhole = (fd) => {
    const hash = createHash('sha256');
    const chunk = Buffer.allocUnsafe(1024 * 1024);
    for (let at = 0, read; (read = fs.readSync(fd, chunk, 0, chunk.length, at)) > 0; at += read) {
      hash.update(chunk.subarray(0, read));
    }
    return hash.digest().toString('base64url', 0, 12);
  };
  // A small file is read straight into the batch, without asking its size; only one that fills the
  // rest of the batch is sized, and then hashed here (too large) or sent in a buffer of its own.
  const readOne = async (index, fd) => {
    if (batchBytes - used < batchBytes / 8) await flush();
    const filled = fill(fd, view, used, view.length);
    if (used + filled < view.length) {
      entries.push(index, 0, used, filled);
      used += filled;
      return;
    }
    const size = fs.fstatSync(fd).size;
    if (size === filled) {
      entries.push(index, 0, used, filled);
      used += filled;
    } else if (size > wholeFileLimit) {
      hashes.push(hashWhole(fd));
      entries.push(index, 1, size, hashes.length - 1);
    } else {
      const own = new Uint8Array(new ArrayBuffer(Math.max(size, filled)));
      own.set(view.subarray(used, used + filled));
      const total = filled + fill(fd, own, filled, own.length);
      await post({ batch: own.buffer, entries: [index, 0, 0, total], hashes: [] });
    }
  };
  for (let start = reader * chunkFiles; start < files.length; start += readers * chunkFiles) {
    for (let index = start; index < Math.min(files.length, start + chunkFiles); index++) {
      let fd;
      try {
        fd = fs.openSync(path.join(root, files[index]), 'r');
      } catch (error) {
        if (error.code === 'ENOENT') { entries.push(index, 2, 0, 0); continue; }
        parentPort.postMessage({ error: String(error.message), index });
        return;
      }
      try {
        await readOne(index, fd);
      } catch (error) {
        parentPort.postMessage({ error: String(error.message), index });
        return;
      } finally {
        fs.closeSync(fd);
      }
    }
  }
  await flush();
  parentPort.postMessage({ done: true });
})();
`;
/**
 * Yields every file's result, in no particular order (each says its index in `files`). A result's
 * `bytes` are valid until the next result is asked for (the memory is reused): hash them, do not keep
 * them. Throws `site-dir: cannot read <file>: <why>` when a file cannot be read, and the signal's
 * reason when it is aborted. The readers are ended on every path.
 */
async function* readFiles(options) {
    const queue = [];
    let wake;
    const push = (item) => {
        queue.push(item);
        wake?.();
    };
    const count = Math.min(READERS, Math.ceil(options.files.length / CHUNK_FILES));
    const readers = Array.from({ length: count }, (_, reader) => {
        const worker = new external_node_worker_threads_namespaceObject.Worker(READER, {
            eval: true,
            workerData: {
                root: options.root,
                files: options.files,
                batchBytes: BATCH_BYTES,
                maxInFlight: MAX_IN_FLIGHT,
                wholeFileLimit: options.wholeFileLimit,
                reader,
                readers: count,
                chunkFiles: CHUNK_FILES,
            },
        });
        worker.on('message', (message) => push('batch' in message ? { ...message, reader } : message));
        worker.on('error', push);
        worker.on('exit', () => push(new Error('a reader thread ended early')));
        return worker;
    });
    const onAbort = () => push(options.signal.reason);
    options.signal?.addEventListener('abort', onAbort);
    try {
        for (let running = readers.length; running > 0;) {
            if (options.signal?.aborted)
                throw options.signal.reason;
            if (queue.length === 0)
                await new Promise((resolve) => (wake = resolve));
            wake = undefined;
            const item = queue.shift();
            if (item instanceof Error)
                throw item;
            if ('done' in item) {
                running--;
                continue;
            }
            if ('error' in item)
                throw new Error(`site-dir: cannot read ${options.files[item.index]}: ${item.error}`);
            yield* batchResults(item);
            // Hashed: the batch goes back to its reader, to be filled again (so its bytes must not be kept).
            readers[item.reader].postMessage(item.batch, [item.batch]);
        }
    }
    finally {
        options.signal?.removeEventListener('abort', onAbort);
        await Promise.all(readers.map((worker) => {
            worker.removeAllListeners();
            return worker.terminate();
        }));
    }
}
function* batchResults(message) {
    const { batch, entries, hashes } = message;
    for (let i = 0; i < entries.length; i += 4) {
        const index = entries[i];
        const kind = entries[i + 1];
        if (kind === 0)
            yield { index, bytes: Buffer.from(batch, entries[i + 2], entries[i + 3]) };
        else if (kind === 1)
            yield { index, hash: hashes[entries[i + 3]], size: entries[i + 2] };
        else
            yield { index, missing: true };
    }
}

;// CONCATENATED MODULE: ./src/site/mapping.ts
/**
 * Site files ↔ URLs. A file maps to the URL a browser asks for when a page links to it: a folder's
 * `index.html` is the folder's URL with a trailing slash, every other file its own path. Each path
 * segment is percent-encoded as UTF-8, keeping only the characters RFC 3986 allows raw in a path
 * segment (letters, digits, `-._~!$&'()*+,;=:@`): so a space is `%20`, `#` `%23`, `?` `%3F`, `%`
 * `%25`, `é` `%C3%A9`. Those are the spellings browsers send and generators write in links, and the
 * result is already in the canonical form urls/normalize.ts keeps, so it is never rewritten later.
 */

/** The file a folder URL serves. */
const INDEX_FILE = 'index.html';
/**
 * `base-url` as the prefix of every site URL: scheme, lower-case host, and a path ending in `/`
 * (`https://www.example.com` → `https://www.example.com/`; a site under `/docs` keeps that path).
 */
function siteBase(baseUrl) {
    let parsed;
    try {
        parsed = new URL(baseUrl.trim());
    }
    catch {
        throw new ConfigError(`base-url: "${baseUrl}" is not a URL; write it as https://www.example.com`, 'base-url');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
        throw new ConfigError(`base-url: "${baseUrl}" is not an http(s) URL`, 'base-url');
    }
    if (parsed.search !== '' || parsed.hash !== '') {
        throw new ConfigError(`base-url: "${baseUrl}" has a query or fragment; site URLs cannot start with one`, 'base-url');
    }
    const href = parsed.href.replace(/%[0-9a-f]{2}/gi, (escape) => escape.toUpperCase());
    return href.endsWith('/') ? href : `${href}/`;
}
/** Percent-encodes one path segment (see the module comment). */
function encodeSegment(segment) {
    // encodeURIComponent leaves A-Z a-z 0-9 - _ . ! ~ * ' ( ) raw; these sub-delimiters are raw in paths too.
    return encodeURIComponent(segment).replace(/%(?:24|26|2B|2C|3B|3D|3A|40)/g, decodeURIComponent);
}
/** The URL of `file` (`/`-separated, relative to site-dir) under `base` (from siteBase()). */
function fileToUrl(base, file) {
    const segments = file.split('/');
    if (segments[segments.length - 1] === INDEX_FILE)
        segments[segments.length - 1] = '';
    return base + segments.map(encodeSegment).join('/');
}
/**
 * Which site file a URL (a sitemap `<loc>`) is served from, or undefined when none is: `/p/` and
 * `/p/index.html` → `p/index.html`; `/p` → `p` if that file exists, else `p.html` (generators' "clean
 * URLs"), else `p/index.html` (a server that redirects to the slash). A URL outside `base`, or with a
 * query, is no file's. `exists` tells whether a relative path is a site file.
 */
function urlToFile(base, url, exists) {
    if (!url.startsWith(base) || /[?#]/.test(url))
        return undefined;
    let rest;
    try {
        rest = url
            .slice(base.length)
            .split('/')
            .map((segment) => decodeURIComponent(segment))
            .join('/');
    }
    catch {
        return undefined; // escapes that are not UTF-8 name no file we could have mapped
    }
    const candidates = rest === '' || rest.endsWith('/')
        ? [`${rest}${INDEX_FILE}`]
        : [rest, `${rest}.html`, `${rest}/${INDEX_FILE}`];
    return candidates.find(exists);
}

;// CONCATENATED MODULE: ./src/site/scan.ts
/**
 * `site-dir`: every file of the built site, with its URL and hashes. Hidden files and folders (`.git`,
 * `.DS_Store`, `.well-known`... anything whose name starts with a dot) are skipped, and so is the
 * `state` file when it is kept inside the site.
 */






/** A scanned file; its URL is made when asked for (most files of a large site never are). */
class ScannedFile {
    path;
    hashes;
    size;
    base;
    constructor(path, hashes, size, base) {
        this.path = path;
        this.hashes = hashes;
        this.size = size;
        this.base = base;
    }
    get url() {
        return fileToUrl(this.base, this.path);
    }
}
/**
 * Lists and hashes site-dir. Throws a ConfigError naming `site-dir` when it does not exist, is not a
 * folder or has no files, and one naming `base-url` when that is not an http(s) URL.
 */
async function scanSite(options) {
    const base = siteBase(options.baseUrl);
    const root = external_node_path_namespaceObject.resolve(options.workspace, options.siteDir);
    checkFolder(options.siteDir, root);
    const skip = options.state === undefined ? undefined : external_node_path_namespaceObject.resolve(options.workspace, options.state);
    const names = listFiles(root, skip);
    if (names.length === 0) {
        throw new ConfigError(`site-dir: "${options.siteDir}" (${root}) has no files (hidden ones are skipped). ` +
            'Run this step after the build, and set site-dir to the folder the build writes.', 'site-dir');
    }
    names.sort(byCodeUnits);
    const found = new Array(names.length);
    let bytes = 0;
    const reads = readFiles({ root, files: names, wholeFileLimit: WHOLE_FILE_LIMIT, signal: options.signal });
    for await (const read of reads) {
        if ('missing' in read)
            continue; // removed since it was listed
        const name = names[read.index];
        if ('hash' in read) {
            found[read.index] = new ScannedFile(name, { content: read.hash }, read.size, base);
            bytes += read.size;
        }
        else {
            const html = isHtmlFile(name);
            const before = html ? options.previous?.get(name) : undefined;
            const hashes = hashBytes(read.bytes, html, options.contentIgnore, before);
            found[read.index] = new ScannedFile(name, hashes, read.bytes.length, base);
            bytes += read.bytes.length;
        }
    }
    const files = found.filter((file) => file !== undefined); // in `names` order: sorted
    return { root, base, files, bytes };
}
function checkFolder(input, root) {
    let isFolder;
    try {
        isFolder = (0,external_node_fs_namespaceObject.statSync)(root).isDirectory();
    }
    catch (error) {
        const missing = systemErrorCode(error) === 'ENOENT';
        throw new ConfigError(`site-dir: "${input}" (${root}) ${missing ? 'does not exist' : `cannot be read: ${errorMessage(error)}`}. ` +
            'Set site-dir to the folder your build writes (public, _site, dist, ...) and run this step after the build.', 'site-dir');
    }
    if (!isFolder) {
        throw new ConfigError(`site-dir: "${input}" (${root}) is a file, not a folder. Set it to the folder your build writes.`, 'site-dir');
    }
}
/**
 * Every regular file under `root` (relative, `/`-separated), hidden names skipped. A symbolic link to
 * a file counts as that file; links to folders are not followed (a link loop must not hang the run).
 */
function listFiles(root, skip) {
    const files = [];
    // The state file's path relative to site-dir, in the `/` form of the names below (or none).
    const skipped = skip === undefined ? undefined : external_node_path_namespaceObject.relative(root, skip).split(external_node_path_namespaceObject.sep).join('/');
    const visit = (folder, prefix) => {
        let entries;
        try {
            entries = (0,external_node_fs_namespaceObject.readdirSync)(folder, { withFileTypes: true });
        }
        catch (error) {
            throw new Error(`site-dir: cannot list ${prefix || '.'}: ${errorMessage(error)}`, { cause: error });
        }
        for (const entry of entries) {
            const name = entry.name;
            if (name.startsWith('.'))
                continue;
            const relative = prefix + name;
            if (entry.isFile()) {
                if (relative !== skipped)
                    files.push(relative);
            }
            else if (entry.isDirectory()) {
                visit(external_node_path_namespaceObject.join(folder, name), `${relative}/`);
            }
            else if (entry.isSymbolicLink() &&
                relative !== skipped &&
                isFileBehindLink(external_node_path_namespaceObject.join(folder, name))) {
                files.push(relative);
            }
        }
    };
    visit(root, '');
    return files;
}
function isFileBehindLink(full) {
    try {
        return (0,external_node_fs_namespaceObject.statSync)(full).isFile();
    }
    catch {
        return false; // a dangling link serves nothing
    }
}
function byCodeUnits(a, b) {
    return a < b ? -1 : a > b ? 1 : 0;
}

;// CONCATENATED MODULE: ./src/site/order.ts
/**
 * The order a small quota spends itself in: the URLs a visitor hits first, first. For the deploy's own
 * changes (and, after them, pages where only the navigation changed; then with `changes: all` the
 * unchanged files), in this order of keys:
 *
 * 1. the home page;
 * 2. the group: pages, stylesheets and scripts first; then other files (feeds, JSON, fonts, text...);
 *    images, media and downloads last;
 * 3. a higher sitemap `<priority>` (a file the sitemap does not list counts as 0.5, the protocol's
 *    default);
 * 4. a shallower URL path (fewer segments: `/docs/` is 1, `/docs/setup.html` 2);
 * 5. a page before a stylesheet or script;
 * 6. the file path (UTF-16 code units), so that the order is the same on every machine.
 *
 * Carried URLs come after all of these, oldest first (see plan.ts).
 */


/** The sitemap protocol's default `<priority>`. */
const DEFAULT_PRIORITY = 0.5;
const STYLE_OR_SCRIPT = /\.(?:css|js|mjs|cjs)$/i;
const MEDIA_OR_DOWNLOAD = /\.(?:png|jpe?g|gif|webp|avif|svg|ico|bmp|tiff?|apng|jxl|heic|mp3|mp4|m4a|m4v|webm|ogg|ogv|oga|opus|wav|flac|mov|avi|mkv|pdf|zip|gz|tgz|bz2|xz|7z|rar|tar|dmg|exe|msi|deb|rpm|apk|iso|epub|docx?|xlsx?|pptx?|csv)$/i;
/** The order key of `file` (relative path) with its sitemap priority (NaN or undefined: none). */
function orderKey(file, priority) {
    const page = isHtmlFile(file);
    const styleOrScript = !page && STYLE_OR_SCRIPT.test(file);
    const segments = file.split('/');
    return {
        home: file === INDEX_FILE,
        group: page || styleOrScript ? 0 : MEDIA_OR_DOWNLOAD.test(file) ? 2 : 1,
        priority: priority === undefined || Number.isNaN(priority) ? DEFAULT_PRIORITY : priority,
        depth: segments[segments.length - 1] === INDEX_FILE ? segments.length - 1 : segments.length,
        kind: page ? 0 : styleOrScript ? 1 : 2,
        path: file,
    };
}
/** Compares two keys: negative when `a` goes first. */
function compareKeys(a, b) {
    if (a.home !== b.home)
        return a.home ? -1 : 1;
    return (a.group - b.group ||
        b.priority - a.priority ||
        a.depth - b.depth ||
        a.kind - b.kind ||
        (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

;// CONCATENATED MODULE: ./src/site/plan.ts


/** Counts of a site that was not read (or held nothing). */
function emptySiteCounts() {
    return {
        files: 0,
        added: 0,
        modified: 0,
        unchanged: 0,
        excluded: 0,
        chromeOnly: 0,
        carriedIn: 0,
        carriedAged: 0,
        carriedGone: 0,
        carriedSuperseded: 0,
        carriedExcluded: 0,
    };
}
/** Compares the scanned site with the state read before the run and returns what to warm, in order. */
function planSiteChanges(scan, read, options) {
    const today = options.now.toISOString().slice(0, 10);
    const notices = [];
    const warnings = [];
    const previous = usableState(scan, read, notices, warnings);
    const counts = { ...emptySiteCounts(), files: scan.files.length };
    // By path: only to resolve sitemap locs and carried entries (most runs have neither).
    const byPath = options.sitemap !== undefined || (previous?.carried.length ?? 0) > 0
        ? new Map(scan.files.map((file) => [file.path, file]))
        : new Map();
    const fromSitemap = sitemapFiles(scan.base, options.sitemap, byPath);
    const changes = classify(scan, previous, fromSitemap, options, counts);
    const carried = carryIn(previous?.carried ?? [], today, options, byPath, fromSitemap);
    counts.carriedAged = carried.aged;
    counts.carriedGone = carried.gone;
    counts.carriedExcluded = carried.excluded;
    if (carried.aged > 0) {
        notices.push(`state: ${carried.aged} carried URLs were dropped, first planned more than carry-days (${options.carryDays}) ` +
            `days ago (the oldest on ${carried.oldestAged}). Raise the quota, or run the action on a schedule to drain the carried list.`);
    }
    const urls = inQuotaOrder(changes, carried.entries, today, counts);
    return { urls, counts, hadState: previous !== undefined, today, notices, warnings };
}
/** Sorts every file into added, modified, unchanged or excluded (in `counts`); returns the selected ones. */
function classify(scan, previous, fromSitemap, options, counts) {
    const selected = [];
    const excluding = options.exclude !== undefined && options.exclude.size > 0;
    for (const file of scan.files) {
        const listed = fromSitemap.get(file.path);
        // Made only when needed: on a large site most files are neither excluded nor changed.
        const urlOf = () => listed?.url ?? file.url;
        if (excluding && options.exclude.match(urlOf()) !== undefined) {
            counts.excluded++;
            continue;
        }
        const before = previous?.files.get(file.path);
        const change = before === undefined ? 'added' : before.content === file.hashes.content ? 'unchanged' : 'modified';
        counts[change]++;
        const chromeOnly = change === 'modified' && before?.own !== undefined && before.own === file.hashes.own;
        if (chromeOnly)
            counts.chromeOnly++;
        if (!options.changes.all && (change === 'unchanged' || !options.changes[change]))
            continue;
        selected.push({ file, url: urlOf(), change, chromeOnly, key: orderKey(file.path, listed?.priority) });
    }
    return selected;
}
/**
 * This deploy's changes in quota order (own content changed, then chrome-only, then with `changes:
 * all` the unchanged files), then the carried URLs, oldest first; each URL once.
 */
function inQuotaOrder(changes, carried, today, counts) {
    const urls = [];
    const listed = new Set();
    const changedFiles = new Set(changes.filter((c) => c.change !== 'unchanged').map((c) => c.file.path));
    const carriedFiles = new Set(carried.map((entry) => entry.file));
    const tier = (c) => (c.change === 'unchanged' ? 2 : c.chromeOnly ? 1 : 0);
    const ordered = changes
        .filter((c) => c.change !== 'unchanged' || !carriedFiles.has(c.file.path)) // listed as carried below
        .sort((a, b) => tier(a) - tier(b) || compareKeys(a.key, b.key));
    for (const c of ordered) {
        if (listed.has(c.url))
            continue; // two files, one URL (a loc form): warmed once
        listed.add(c.url);
        const { url, change, chromeOnly } = c;
        urls.push({ url, file: c.file.path, change, chromeOnly, since: today, firstChange: change });
    }
    for (const entry of carried) {
        // Its file changed again (or its URL is planned anyway): warmed once, as this deploy's change.
        if ((entry.file !== undefined && changedFiles.has(entry.file)) || listed.has(entry.url)) {
            counts.carriedSuperseded++;
            continue;
        }
        listed.add(entry.url);
        counts.carriedIn++;
        urls.push({
            url: entry.url,
            ...(entry.file === undefined ? {} : { file: entry.file }),
            change: 'carried',
            chromeOnly: false,
            since: entry.since,
            firstChange: entry.change,
            carriedFor: { cause: entry.cause, reason: entry.reason },
            ...(entry.refreshedAt === undefined ? {} : { refreshedAt: entry.refreshedAt }),
        });
    }
    return urls;
}
/** The state to compare with, or undefined (with the notice or warning that says why). */
function usableState(scan, read, notices, warnings) {
    if (read.kind === 'unusable') {
        warnings.push(read.warning);
        return undefined;
    }
    if (read.kind === 'missing') {
        notices.push(`state: there is no ${read.label} yet, so every file of site-dir counts as added and nothing is carried. ` +
            'It is written at the end of this run (not in a dry run); from the next run on, only what changed is warmed. ' +
            'A first run cannot tell a new file from one the CDN already holds, so none is refreshed: if the site ' +
            'changed since the CDN last saw it, run once with refresh: true.');
        return undefined;
    }
    if (read.state.baseUrl !== scan.base) {
        notices.push(`state: it was written for ${read.state.baseUrl}, not ${scan.base} (base-url changed), so every file ` +
            'counts as added and nothing is carried.');
        return undefined;
    }
    return read.state;
}
/**
 * Site files the sitemap lists, with the URL to warm and the priority. The sitemap's URL form is
 * used, except a folder's `…/index.html` (Hexo lists pages so, but links to, and visitors ask for,
 * the folder URL with its slash: a different cache key).
 */
function sitemapFiles(base, sitemap, byPath) {
    const found = new Map();
    if (sitemap === undefined)
        return found;
    const exists = (file) => byPath.has(file);
    for (const [loc, priority] of sitemap) {
        const file = urlToFile(base, loc, exists);
        if (file === undefined || found.has(file))
            continue;
        const url = loc.endsWith(`/${INDEX_FILE}`) ? byPath.get(file).url : loc;
        found.set(file, { url, priority });
    }
    return found;
}
/** The carried entries still to warm (supersession by a new change is decided by the caller). */
function carryIn(carried, today, options, byPath, fromSitemap) {
    const result = { entries: [], aged: 0, oldestAged: undefined, gone: 0, excluded: 0 };
    const todayMs = Date.parse(today);
    for (const entry of carried) {
        if ((todayMs - Date.parse(entry.since)) / 86_400_000 > options.carryDays) {
            result.aged++;
            if (result.oldestAged === undefined || entry.since < result.oldestAged)
                result.oldestAged = entry.since;
            continue;
        }
        let url = entry.url;
        if (entry.file !== undefined) {
            const file = byPath.get(entry.file);
            if (file === undefined) {
                result.gone++;
                continue;
            }
            // The file's URL now (base-url is the same; the sitemap's loc form may have changed).
            url = fromSitemap.get(entry.file)?.url ?? file.url;
        }
        if (options.exclude !== undefined && options.exclude.match(url) !== undefined) {
            result.excluded++;
            continue;
        }
        result.entries.push({ ...entry, url });
    }
    // Oldest first; the same day keeps the state's order (which is the order they were planned in).
    result.entries.sort((a, b) => (a.since < b.since ? -1 : a.since > b.since ? 1 : 0));
    return result;
}

;// CONCATENATED MODULE: external "node:events"
const external_node_events_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:events");
;// CONCATENATED MODULE: ./src/runtime/stop.ts
/**
 * How a run is stopped early: at its deadline (`timeout`) or when the workflow is cancelled. Two
 * steps, because a call in flight may already have been accepted: first stop *sending* (new calls,
 * retries, waits), and only later abort the requests still in flight, so that their answers — and the
 * task IDs in them — can still arrive and be reported.
 */


class RunStop {
    sending = new AbortController();
    requests = new AbortController();
    stopReason;
    timers = [];
    constructor() {
        // Every call under way listens on these signals while it waits or is in flight: up to
        // requests-per-second calls at once, with their look-ups. More than Node's default of 10 is normal.
        (0,external_node_events_namespaceObject.setMaxListeners)(4 * LIMITS.maxRequestsPerSecond, this.sending.signal, this.requests.signal);
    }
    /** Aborted when no new call may start: gate waits, retry pauses and polls end at once. */
    get sendSignal() {
        return this.sending.signal;
    }
    /** Aborted when requests in flight must be given up. */
    get requestSignal() {
        return this.requests.signal;
    }
    get reason() {
        return this.stopReason;
    }
    get stopped() {
        return this.stopReason !== undefined;
    }
    /** Stops sending now; requests in flight get `graceMs` to finish before they are aborted. */
    stop(reason, graceMs) {
        if (this.stopReason === undefined) {
            this.stopReason = reason;
            this.sending.abort(new Error(reason));
        }
        const timer = setTimeout(() => this.abortRequests(), graceMs);
        timer.unref();
        this.timers.push(timer);
    }
    /** Aborts requests in flight now (the second signal of a cancellation). */
    abortRequests() {
        if (this.stopReason === undefined)
            this.stop('cancelled', 0);
        this.requests.abort(new Error(this.stopReason));
    }
    /** Stops the run at `timeoutMs` from now. */
    armDeadline(timeoutMs, graceMs) {
        const timer = setTimeout(() => this.stop('deadline', graceMs), timeoutMs);
        timer.unref();
        this.timers.push(timer);
    }
    dispose() {
        for (const timer of this.timers)
            clearTimeout(timer);
        this.timers = [];
    }
}
/** The reason recorded for a URL that was not sent because the run stopped. */
function notSentReason(reason) {
    return reason === 'deadline'
        ? 'deadline: not sent before the run reached its timeout'
        : 'cancelled: not sent before the run was cancelled';
}
/** Why something was not done because the run stopped before it, e.g. a sitemap not read. */
function stoppedFirst(reason) {
    return reason === 'deadline' ? 'the run reached its timeout first' : 'the run was cancelled first';
}

;// CONCATENATED MODULE: ./src/site/carry.ts
/**
 * The state the next run reads, built after this run from its scan, its plan and every URL's outcome.
 * The files are this deploy's hashes; the carried list is every planned URL that was not warmed but
 * can be by a later run:
 * - skipped because the day's quota was used up;
 * - not sent because the run stopped (its deadline, a cancel, a credential error that stops every call);
 * - sent and refused with an error that may pass (throttled, service busy, queue full);
 * - held back from the prefetch because its refresh did not complete (a refresh quota too small, a
 *   refusal, a refresh task failed or still running): carried with `refreshedAt` when the refresh was
 *   accepted (the next run prefetches it), without it otherwise (the next run refreshes it first).
 * Not carried: URLs that were accepted, refused for themselves (a bad URL, a host that is not the
 * account's), and URLs whose call's outcome is unknown. The last may have been accepted and charged;
 * quota is money, so a URL is never risked twice: it waits for the next deploy that changes it.
 * Without a previous state nothing is carried (see nextState).
 */


/** Longer reasons are cut: the report has the whole one; the state only needs to say why. */
const MAX_REASON = 300;
/**
 * The state to write after the run (not after a dry run: it sent nothing, so nothing changed). Also
 * right on the failure, deadline and cancel paths: what was not sent is carried.
 */
function nextState(input) {
    const { scan, plan } = input;
    const outcomes = new Map(input.outcomes.map((outcome) => [outcome.url, outcome]));
    const carried = [];
    const carriedBy = {
        quota: 0,
        deadline: 0,
        cancelled: 0,
        'not-sent': 0,
        retryable: 0,
    };
    let coldWithoutState = 0;
    for (const planned of plan.urls) {
        const outcome = outcomes.get(planned.url);
        const cause = outcome === undefined ? stoppedCause(input.stopped) : carryCause(outcome);
        if (cause === undefined)
            continue;
        if (!plan.hadState) {
            coldWithoutState++;
            continue;
        }
        carriedBy[cause]++;
        carried.push({
            url: planned.url,
            ...(planned.file === undefined ? {} : { file: planned.file }),
            change: planned.firstChange,
            cause,
            reason: (outcome?.reason ?? notSentText(input.stopped)).slice(0, MAX_REASON),
            since: planned.since,
            ...refreshFacts(outcome, planned.refreshedAt),
        });
    }
    // Oldest first, so the next run takes them in that order; the same day keeps this run's order.
    carried.sort((a, b) => (a.since < b.since ? -1 : a.since > b.since ? 1 : 0));
    const notices = [];
    if (coldWithoutState > 0) {
        notices.push(`state: ${coldWithoutState} URLs of site-dir were not warmed in this first run (no previous state) and ` +
            'are not carried to the next one: a first deploy would otherwise queue the whole site for days. ' +
            'From the next run on, what changes is warmed, and what the quota cuts is carried.');
    }
    return {
        state: {
            baseUrl: scan.base,
            savedAt: input.now.toISOString(),
            files: new Map(scan.files.map((file) => [file.path, file.hashes])),
            carried,
        },
        carried: carried.length,
        carriedBy,
        leftCold: coldWithoutState,
        notices,
    };
}
/**
 * Why a planned URL with this outcome should be carried, or undefined when it should not. Reads only
 * the fields set where the outcome was decided (never a reason's text):
 * - skipped for quota (`skip: 'quota'`): carried;
 * - failed, and its call may have been accepted (`outcomeUnknown`): never carried;
 * - failed, refused by the API (`errorClass`): carried when the refusal may pass (throttled, busy,
 *   queue full: `retryable`) or was about the keys or permissions, not the URL (a credential error
 *   stops the run: `not-sent`, warmed once they are fixed); a URL refused for itself (a bad URL, a host
 *   that is not the account's, an unknown code) is not;
 * - failed, never sent (`notSent`): carried, as cut by the deadline, the cancel, or the run's stop;
 * - any other failure (an entry that is not a URL): not carried, nothing says a later run would do better.
 */
function carryCause(outcome) {
    if (outcome.status === 'skipped') {
        if (outcome.skip === 'refresh')
            return heldBackCause(outcome);
        return outcome.skip === 'quota' ? 'quota' : undefined;
    }
    if (outcome.status !== 'failed' || outcome.outcomeUnknown === true)
        return undefined;
    if (outcome.errorClass !== undefined) {
        if (isRetryable(outcome.errorClass))
            return 'retryable';
        return isFatal(outcome.errorClass) ? 'not-sent' : undefined;
    }
    if (outcome.notSent !== undefined)
        return outcome.notSent === 'stopped' ? 'not-sent' : outcome.notSent;
    return undefined;
}
/**
 * Why a URL held back for its refresh is carried: a refresh quota too small (`quota`), a permission
 * the account lacks (`not-sent`, warmed once it is granted), the run stopping first; a refresh refused
 * for the URL or its host itself is not carried (a prefetch would be refused too). Anything else —
 * a passing refusal, a lost answer, a refresh task Failed or still running — may pass (`retryable`).
 */
function heldBackCause(outcome) {
    switch (outcome.notRefreshed) {
        case 'quota':
            return 'quota';
        case 'permission':
        case 'stopped':
            return 'not-sent';
        case 'deadline':
        case 'cancelled':
            return outcome.notRefreshed;
        case 'refused':
            return undefined;
        default:
            return 'retryable';
    }
}
/**
 * What the next run must know of a carried URL's refresh: when one was accepted, in this run or the
 * earlier one that carried it (absent when none was, or it failed at the CDN: it is refreshed first).
 */
function refreshFacts(outcome, earlier) {
    const refreshedAt = outcome?.refreshedAt ?? earlier;
    return refreshedAt === undefined ? {} : { refreshedAt };
}
/** A planned URL without an outcome: the run ended before it got to it. */
function stoppedCause(stopped) {
    return stopped ?? 'not-sent';
}
function notSentText(stopped) {
    return stopped === undefined ? 'not sent: the run ended before it was sent' : notSentReason(stopped);
}

;// CONCATENATED MODULE: ./src/state/state.ts
/**
 * The `state` file: what the last deploy the action saw looked like (a content hash per file of the
 * built site) and the URLs it planned but could not warm (the carried list). The next run diffs
 * against it and warms the carried URLs after its own changes.
 *
 * Format (version 1), one JSON document written one entry a line so that it stays readable and
 * diffable, and small: for 100,000 files it is 6 MB (paths of 40 characters) to 10 MB (70 characters).
 *
 *   {"format":"cdn-prefetch-state","version":1,"hash":"sha256/96","savedAt":"…","baseUrl":"…",
 *   "carried":[
 *   {"url":"…","file":"docs/index.html","change":"modified","cause":"quota","reason":"…","since":"2026-03-01",
 *    "refreshedAt":"2026-03-01T10:00:00.000Z"},
 *   …],
 *   "files":{
 *   "css/site.css":"q3Xv…",
 *   "docs/index.html":"Zk1P….r8Tn…",
 *   …}}
 *
 * `refreshedAt` (optional, added after the first format of version 1; absent: not refreshed) says a
 * refresh of the carried URL was accepted, so a later run prefetches it without refreshing it again.
 * It is additive: this version reads states without it, and an earlier one reads states with it.
 *
 * A file's value is its content hash, then for an HTML page `.` and the hash of its own content
 * (`<main>`, else `<article>`, else `<body>`). Hashes are SHA-256 cut to 96 bits and written in
 * base64url (16 characters): the state only ever compares a file with its own earlier version, so
 * the chance that a change goes unseen is 2^-96 per changed file. Two full hashes in hex (2 x 64
 * characters) would add about 10 MB per 100,000 pages — 15 to 19 MB in all — and buy nothing.
 */




/** The `format` marker: a file without it is not ours, whatever else it holds. */
const STATE_FORMAT = 'cdn-prefetch-state';
const STATE_VERSION = 1;
/** How the hashes were made: a state whose hashes were made otherwise cannot be compared. */
const STATE_HASH = 'sha256/96';
/** A state larger than this is not ours (100,000 files take 6–10 MB). */
const MAX_STATE_BYTES = 512 * 1024 * 1024;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const CHANGES = ['added', 'modified', 'unchanged'];
const CAUSES = ['quota', 'deadline', 'cancelled', 'not-sent', 'retryable'];
/**
 * Reads `file` (an absolute path; `label`, e.g. the input as written, is what a warning names). Never
 * throws: every problem is a `missing` or `unusable` result.
 */
async function readState(file, label = file) {
    let text;
    try {
        const stat = await external_node_fs_namespaceObject.promises.stat(file);
        if (stat.isDirectory())
            return unusable(label, 'it is a folder, not a file');
        if (stat.size > MAX_STATE_BYTES)
            return unusable(label, `it is ${stat.size} bytes long`);
        text = await external_node_fs_namespaceObject.promises.readFile(file, 'utf8');
    }
    catch (error) {
        if (systemErrorCode(error) === 'ENOENT')
            return { kind: 'missing', label };
        return unusable(label, `it cannot be read: ${errorMessage(error)}`);
    }
    let document;
    try {
        document = JSON.parse(text);
    }
    catch {
        return unusable(label, 'it is not JSON (a truncated or foreign file?)');
    }
    const parsed = parseDocument(document);
    return typeof parsed === 'string' ? unusable(label, parsed) : { kind: 'found', state: parsed };
}
function unusable(file, why) {
    return {
        kind: 'unusable',
        label: file,
        why,
        warning: `state: ${file} cannot be used (${why}); every file counts as added this run, nothing carried ` +
            `is warmed, and the file is replaced at the end of the run.`,
    };
}
/** The state in `document`, or why it is not one. */
function parseDocument(document) {
    if (!isRecord(document) || document.format !== STATE_FORMAT) {
        return `it is not a cdn-prefetch state file: no "format": "${STATE_FORMAT}"`;
    }
    if (document.version !== STATE_VERSION) {
        return typeof document.version === 'number' && document.version > STATE_VERSION
            ? `it was written by a newer cdn-prefetch (format version ${document.version}); use that version`
            : `format version ${JSON.stringify(document.version)} is not one this version reads`;
    }
    if (document.hash !== STATE_HASH)
        return `its hashes are ${JSON.stringify(document.hash)}, not ${STATE_HASH}`;
    if (typeof document.baseUrl !== 'string' || typeof document.savedAt !== 'string') {
        return 'it has no "baseUrl" or "savedAt"';
    }
    const files = parseFiles(document.files);
    if (typeof files === 'string')
        return files;
    const carried = parseCarried(document.carried);
    if (typeof carried === 'string')
        return carried;
    return { baseUrl: document.baseUrl, savedAt: document.savedAt, files, carried };
}
function parseFiles(value) {
    if (!isRecord(value))
        return '"files" is not an object';
    const files = new Map();
    for (const file in value) {
        const hashes = value[file];
        // 16 characters, or 16 + "." + 16. Any other character only makes the file count as modified.
        if (typeof hashes !== 'string' ||
            (hashes.length !== 16 && (hashes.length !== 33 || hashes[16] !== '.'))) {
            return `the hashes of "${file}" are not ${STATE_HASH} hashes`;
        }
        files.set(file, hashes.length === 16 ? { content: hashes } : { content: hashes.slice(0, 16), own: hashes.slice(17) });
    }
    return files;
}
function parseCarried(value) {
    if (!Array.isArray(value))
        return '"carried" is not a list';
    const carried = [];
    for (const [i, entry] of value.entries()) {
        if (!isRecord(entry) ||
            typeof entry.url !== 'string' ||
            (entry.file !== undefined && typeof entry.file !== 'string') ||
            !CHANGES.includes(entry.change) ||
            !CAUSES.includes(entry.cause) ||
            typeof entry.reason !== 'string' ||
            typeof entry.since !== 'string' ||
            !DAY.test(entry.since)) {
            return `carried entry ${i + 1} is not a url, change, cause, reason and since`;
        }
        carried.push({
            url: entry.url,
            ...(entry.file === undefined ? {} : { file: entry.file }),
            change: entry.change,
            cause: entry.cause,
            reason: entry.reason,
            since: entry.since,
            // Optional: one that is not a time only costs a second refresh, never the entry.
            ...(isTime(entry.refreshedAt) ? { refreshedAt: entry.refreshedAt } : {}),
        });
    }
    return carried;
}
function isTime(value) {
    return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}
function isRecord(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
/**
 * Writes `state` to `file` (an absolute path; parent folders are created) through a temporary file in
 * the same folder, flushed to disk and then renamed over `file`: a reader sees the old state or the
 * new one, never a part. On failure the temporary file is removed, the old state is left as it was,
 * and the error is thrown. Takes no stop signal, so that it also runs on the failure, deadline and
 * cancel paths.
 */
async function writeState(file, state) {
    const folder = external_node_path_namespaceObject.dirname(file);
    await external_node_fs_namespaceObject.promises.mkdir(folder, { recursive: true });
    // Hidden, so that a state kept inside site-dir is skipped by the site scan even while it is written.
    const temporary = external_node_path_namespaceObject.join(folder, `.${external_node_path_namespaceObject.basename(file)}.${process.pid}-${(0,external_node_crypto_namespaceObject.randomBytes)(4).toString('hex')}.tmp`);
    const handle = await external_node_fs_namespaceObject.promises.open(temporary, 'wx');
    try {
        try {
            for (const chunk of serialize(state))
                await handle.write(chunk);
            await handle.sync();
        }
        finally {
            await handle.close();
        }
        await external_node_fs_namespaceObject.promises.rename(temporary, file);
    }
    catch (error) {
        await external_node_fs_namespaceObject.promises.rm(temporary, { force: true });
        throw error;
    }
}
/** The state's text, in chunks of about 1 MB (a 100,000-file state is never one big string twice). */
function* serialize(state) {
    const head = {
        format: STATE_FORMAT,
        version: STATE_VERSION,
        hash: STATE_HASH,
        savedAt: state.savedAt,
        baseUrl: state.baseUrl,
    };
    let text = `${JSON.stringify(head).slice(0, -1)},\n"carried":[`;
    state.carried.forEach((entry, i) => {
        const { url, file, change, cause, reason, since, refreshedAt } = entry;
        const ordered = {
            url,
            ...(file === undefined ? {} : { file }),
            change,
            cause,
            reason,
            since,
            ...(refreshedAt === undefined ? {} : { refreshedAt }),
        };
        text += `${i === 0 ? '' : ','}\n${JSON.stringify(ordered)}`;
    });
    text += '],\n"files":{';
    let first = true;
    for (const [name, hashes] of state.files) {
        const value = hashes.own === undefined ? hashes.content : `${hashes.content}.${hashes.own}`;
        text += `${first ? '' : ','}\n${JSON.stringify(name)}:"${value}"`;
        first = false;
        if (text.length >= 1024 * 1024) {
            yield text;
            text = '';
        }
    }
    yield `${text}}}\n`;
}

;// CONCATENATED MODULE: ./src/site/index.ts
/**
 * `site-dir` + `state`: warm exactly what the deploy changed, and carry what the quota cut over to
 * the next run. The run's phases call, in order:
 *
 *   const ignore = compileContentIgnore(inputs['content-ignore']);          // ConfigError on a bad line
 *   const read = await readState(statePath, inputs.state);                  // never throws
 *   const previous = read.kind === 'found' ? read.state.files : undefined;  // saves parsing pages
 *   const scan = await scanSite({ workspace, siteDir, baseUrl, contentIgnore: ignore, state, previous });
 *   const plan = planSiteChanges(scan, read, { changes, exclude, carryDays, now, sitemap });
 *   //   log plan.notices / plan.warnings; send plan.urls (after `urls` entries), in that order
 *   const next = nextState({ scan, plan, outcomes, stopped, now });        // also on failure paths
 *   await writeState(statePath, next.state);                                // never in a dry run
 *
 * Nothing here reads inputs or logs: every message is returned.
 */







;// CONCATENATED MODULE: ./src/sitemap/set.ts
class SitemapSet {
    /** URL by document position, duplicates included. */
    keys = [];
    /** ms since the epoch; NaN when the URL has no (usable) `<lastmod>`. */
    lastmods = new Float64Array(1024);
    /** URL -> position of its first occurrence; undefined until needed, dropped on change. */
    index;
    // The diff asks for the same URL twice in a row (once to skip normalizing it, once to compare).
    lastAsked = '';
    lastAnswer;
    /** Where the URL after the last one found sits: sitemaps tend to list URLs in the same order. */
    cursor = 0;
    /** Distinct URLs. */
    get size() {
        return this.lookup().size;
    }
    /** Positions are below this number. */
    get slots() {
        return this.keys.length;
    }
    /** Appends a URL; a later duplicate keeps the first occurrence's position and lastmod. */
    add(url, lastmod) {
        const position = this.keys.length;
        if (position === this.lastmods.length) {
            const grown = new Float64Array(position * 2);
            grown.set(this.lastmods);
            this.lastmods = grown;
        }
        this.keys.push(ownCopy(url));
        this.lastmods[position] = lastmod;
        this.index = undefined;
    }
    /** Position of the first occurrence of `url`, or undefined. */
    orderOf(url) {
        if (url === this.lastAsked)
            return this.lastAnswer;
        const index = this.lookup();
        // Comparing with the URL that followed the last match is a string compare on memory read in
        // order; a map lookup has to hash the URL and lands anywhere in a table of a million entries.
        // For a deploy that changed a few % of a sitemap this skips most lookups. (Only without
        // duplicates: a later duplicate's position is not the URL's.)
        const next = this.cursor;
        let found;
        if (next < this.keys.length && this.keys[next] === url && index.size === this.keys.length)
            found = next;
        else
            found = index.get(url);
        if (found !== undefined)
            this.cursor = found + 1;
        this.lastAsked = url;
        this.lastAnswer = found;
        return found;
    }
    urlAt(position) {
        return this.keys[position];
    }
    lastmodAt(position) {
        return this.lastmods[position];
    }
    /** Distinct URLs with their lastmods, in document order. */
    *entries() {
        const index = this.lookup();
        const duplicates = index.size !== this.keys.length;
        for (let position = 0; position < this.keys.length; position++) {
            const url = this.keys[position];
            if (!duplicates || index.get(url) === position)
                yield [url, this.lastmods[position]];
        }
    }
    mark() {
        return this.keys.length;
    }
    /** Removes everything added since `mark`. */
    rollback(mark) {
        this.keys.length = Math.min(this.keys.length, mark);
        this.index = undefined;
    }
    lookup() {
        if (this.index === undefined) {
            this.index = new PositionIndex(this.keys);
            this.lastAsked = '';
            this.cursor = 0;
        }
        return this.index;
    }
}
/**
 * URL -> position of its first occurrence: an open-addressing hash table of positions in an
 * Int32Array, probing linearly and comparing the URLs themselves. Built in one pass after loading,
 * it takes a fifth of the time and memory of a Map of a million strings (which allocates entries,
 * rehashes as it grows, and loses its cache lines to the parser between inserts).
 */
class PositionIndex {
    keys;
    /** position + 1 per slot; 0 is empty. At most half full. */
    table;
    mask;
    /** Distinct URLs. */
    size = 0;
    constructor(keys) {
        this.keys = keys;
        let capacity = 1024;
        while (capacity < keys.length * 2)
            capacity *= 2;
        this.table = new Int32Array(capacity);
        this.mask = capacity - 1;
        for (let position = 0; position < keys.length; position++) {
            const key = keys[position];
            for (let slot = hash(key) & this.mask;; slot = (slot + 1) & this.mask) {
                const entry = this.table[slot];
                if (entry === 0) {
                    this.table[slot] = position + 1;
                    this.size++;
                    break;
                }
                if (keys[entry - 1] === key)
                    break; // a duplicate: the first occurrence stays
            }
        }
    }
    get(url) {
        for (let slot = hash(url) & this.mask;; slot = (slot + 1) & this.mask) {
            const entry = this.table[slot];
            if (entry === 0)
                return undefined;
            if (this.keys[entry - 1] === url)
                return entry - 1;
        }
    }
}
// Seeded per process, so that no sitemap can be written to collide on purpose.
const SEED = (Math.random() * 2 ** 32) >>> 0;
/** 32-bit FNV-1a over UTF-16 code units. */
function hash(text) {
    let h = SEED ^ 0x811c9dc5;
    for (let i = 0; i < text.length; i++)
        h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    // Multiplication only carries upwards: fold the high bits into the low ones that pick the slot.
    return (h ^ (h >>> 16)) >>> 0;
}
/**
 * A copy that shares no memory with the parser's input. A string sliced out of a parser chunk keeps
 * the whole chunk alive while it is a map key (at a million URLs that tripled the memory), and the
 * usual `(' ' + s).slice(1)` still leaves a slice header over a copy; a round trip through bytes
 * yields one flat string, exact for any text. One scratch buffer serves every (URL-sized) copy.
 */
function ownCopy(text) {
    if (text.length > SCRATCH.length / 3)
        return Buffer.from(text, 'utf8').toString('utf8');
    const bytes = SCRATCH.write(text, 0, 'utf8'); // at most 3 bytes per UTF-16 code unit
    return SCRATCH.toString('utf8', 0, bytes);
}
const SCRATCH = Buffer.allocUnsafe(16 * 1024);

;// CONCATENATED MODULE: ./src/sitemap/diff.ts

/** Counts of a sitemap diff that read nothing. */
function emptyDiffCounts() {
    return {
        deployed: 0,
        baseline: undefined,
        added: 0,
        modified: 0,
        unchanged: 0,
        notComparable: 0,
        unknown: 0,
        excluded: 0,
        invalid: 0,
        images: 0,
        imagesExcluded: 0,
    };
}
/** Parses `added,modified` (the default, also for an empty value), `added`, `modified` or `all`. */
function parseChanges(input) {
    const words = input
        .split(',')
        .map((word) => word.trim().toLowerCase())
        .filter((word) => word !== '');
    if (words.length === 0)
        return { added: true, modified: true, all: false };
    if (words.length === 1 && words[0] === 'all')
        return { added: true, modified: true, all: true };
    const selection = { added: false, modified: false, all: false };
    for (const word of words) {
        if (word === 'added' || word === 'modified')
            selection[word] = true;
        else
            throw new Error(`changes: "${input}" is not one of added,modified | added | modified | all`);
    }
    return selection;
}
const DAY_MS = 86_400_000;
/**
 * Receives the deployed sitemap's URLs (a UrlSink) and classifies each against the baseline.
 * Exclusion comes after de-duplication and before the baseline, so that an excluded URL is counted
 * once, as excluded, whatever the baseline says. URLs only in the baseline are ignored.
 */
class SitemapDiff {
    baseline;
    options;
    counts;
    /** Which baseline URLs the deployed side has shown already (de-duplication without a second set). */
    seenInBaseline;
    /** Deployed URLs the baseline lacks, for de-duplication. */
    seenElsewhere = new Set();
    /** Distinct deployed URLs the baseline has, excluded ones included. */
    inBaseline = 0;
    // The selected pages, in document order.
    selectedUrls = [];
    selectedLastmods = [];
    selectedPrevious = [];
    selectedModified = [];
    selectedPriorities = [];
    selectedImages = new Map();
    /** How many modified URLs have each new `<lastmod>` instant. */
    modifiedInstants = new Map();
    constructor(baseline, options) {
        this.baseline = baseline;
        this.options = options;
        this.seenInBaseline = new Uint8Array(baseline?.slots ?? 0);
        this.counts = { ...emptyDiffCounts(), baseline: baseline?.size };
    }
    add(url, lastmod, priority, images) {
        const previous = this.baseline?.orderOf(url);
        let key = url;
        if (previous !== undefined) {
            if (this.seenInBaseline[previous] === 1)
                return;
            this.seenInBaseline[previous] = 1;
            this.inBaseline++;
        }
        else {
            if (this.seenElsewhere.has(url))
                return;
            key = ownCopy(url);
            this.seenElsewhere.add(key);
        }
        this.counts.deployed++;
        if (this.options.exclude !== undefined && this.options.exclude.match(key) !== undefined) {
            this.counts.excluded++;
            return;
        }
        const before = previous === undefined ? NaN : this.baseline.lastmodAt(previous);
        const change = this.classify(previous !== undefined, lastmod, before);
        this.counts[change]++;
        if (change === 'modified')
            this.modifiedInstants.set(lastmod, (this.modifiedInstants.get(lastmod) ?? 0) + 1);
        if (change !== 'added' && change !== 'modified')
            return;
        const { changes } = this.options;
        if (!changes.all && !changes[change])
            return;
        if (images !== undefined && images.length > 0)
            this.selectedImages.set(this.selectedUrls.length, images.map(ownCopy));
        this.selectedUrls.push(previous === undefined ? key : this.baseline.urlAt(previous));
        this.selectedLastmods.push(lastmod);
        this.selectedPrevious.push(before);
        this.selectedModified.push(change === 'modified');
        this.selectedPriorities.push(priority);
    }
    /** The ordered URLs and the counts; call once the whole sitemap has been read. */
    result() {
        const n = this.selectedUrls.length;
        const order = new Uint32Array(n);
        for (let i = 0; i < n; i++)
            order[i] = i;
        order.sort((a, b) => this.compareForQuota(a, b));
        const { urls, changes } = this.listUrls(order); // counts the images
        return { urls, changes, counts: { ...this.counts }, lastmods: this.lastmodStats() };
    }
    classify(inBaseline, now, before) {
        if (this.options.baselineUnreadable === true)
            return 'unknown';
        if (!inBaseline)
            return 'added';
        // No lastmod on the deployed side: nothing to compare, whatever the baseline had.
        if (Number.isNaN(now))
            return 'notComparable';
        // A lastmod that appears is the usual first edit (Hugo `lastmod`, Jekyll `last_modified_at`).
        if (Number.isNaN(before))
            return 'modified';
        return now !== before ? 'modified' : 'unchanged';
    }
    lastmodStats() {
        let topInstant = NaN;
        let topCount = 0;
        let firstDay;
        let sameDay = true;
        for (const [instant, count] of this.modifiedInstants) {
            if (count > topCount) {
                topInstant = instant;
                topCount = count;
            }
            const day = Math.floor(instant / DAY_MS);
            firstDay ??= day;
            if (day !== firstDay)
                sameDay = false;
        }
        const removed = this.baseline === undefined ? undefined : this.baseline.size - this.inBaseline;
        return { topInstant, topCount, sameDay: sameDay && topCount > 0, removed };
    }
    /** Higher `<priority>` first, then newest `<lastmod>` (none = last), then document order. */
    compareForQuota(a, b) {
        const byPriority = this.selectedPriorities[b] - this.selectedPriorities[a];
        if (byPriority !== 0)
            return byPriority;
        const la = this.selectedLastmods[a];
        const lb = this.selectedLastmods[b];
        const aHas = !Number.isNaN(la);
        const bHas = !Number.isNaN(lb);
        if (aHas && bHas && la !== lb)
            return lb - la;
        if (aHas !== bHas)
            return aHas ? -1 : 1;
        return a - b;
    }
    changeAt(i) {
        return {
            change: this.selectedModified[i] ? 'modified' : 'added',
            lastmod: this.selectedLastmods[i],
            previousLastmod: this.selectedPrevious[i],
        };
    }
    listUrls(order) {
        const urls = [];
        const changes = [];
        if (!this.options.includeImages) {
            for (const i of order) {
                urls.push(this.selectedUrls[i]);
                changes.push(this.changeAt(i));
            }
            return { urls, changes };
        }
        // Images are shared between pages and may even be pages: list each URL once, at its first place.
        const listed = new Set();
        for (const i of order) {
            const page = this.selectedUrls[i];
            const change = this.changeAt(i);
            if (!listed.has(page)) {
                listed.add(page);
                urls.push(page);
                changes.push(change);
            }
            for (const image of this.selectedImages.get(i) ?? []) {
                if (listed.has(image))
                    continue;
                listed.add(image);
                if (this.options.exclude !== undefined && this.options.exclude.match(image) !== undefined) {
                    this.counts.imagesExcluded++;
                    continue;
                }
                urls.push(image);
                changes.push(change);
                this.counts.images++;
            }
        }
        return { urls, changes };
    }
}

;// CONCATENATED MODULE: ./src/urls/exclude.ts
/**
 * The `exclude` input: glob patterns on the URL path, one per line, applied to every URL source.
 * Patterns match the *decoded* path without the query, so `/博客/**` and `/%E5%8D%9A%E5%AE%A2/**`
 * mean the same thing, and a pattern never has to guess at query strings.
 *
 * `*` matches within one path segment, `**` (a whole segment) matches any number of segments, and
 * `/x/**` also matches `/x` itself. Blank lines and lines starting with `#` are ignored.
 */
/**
 * Compiles the patterns; throws an Error naming the line for an invalid one, e.g.
 * `exclude: line 2 "tag/**" must start with "/"`. Accepts the input's text or its lines.
 */
function compileExcludes(patterns) {
    const lines = typeof patterns === 'string' ? patterns.split(/\r?\n/) : patterns;
    const compiled = [];
    lines.forEach((line, i) => {
        const pattern = line.trim();
        if (pattern === '' || pattern.startsWith('#'))
            return;
        compiled.push({ pattern, regex: toRegex(pattern, i + 1) });
    });
    return {
        size: compiled.length,
        match(url) {
            if (compiled.length === 0)
                return undefined;
            const path = decodedPath(url);
            for (const { pattern, regex } of compiled)
                if (regex.test(path))
                    return pattern;
            return undefined;
        },
    };
}
function toRegex(pattern, line) {
    const invalid = (why) => new Error(`exclude: line ${line} "${pattern}" ${why}`);
    if (!pattern.startsWith('/'))
        throw invalid('must start with "/" (it matches the URL path)');
    if (pattern.includes('?'))
        throw invalid('contains "?": patterns match the URL path, without its query');
    const segments = decodePath(pattern).split('/').slice(1);
    let source = '';
    for (const segment of segments) {
        if (segment === '**') {
            // Zero or more whole segments: `/x/**` matches `/x`, `/x/a/b`; `/**/y` matches `/y`, `/a/y`.
            source += '(?:/.*)?';
            continue;
        }
        if (segment.includes('**'))
            throw invalid('uses "**" inside a segment; "**" must stand alone between slashes, as in /docs/**');
        source += '/' + segment.split('*').map(escapeRegex).join('[^/]*');
    }
    return new RegExp(`^${source}$`);
}
/** The URL's path (no query or fragment), percent-decoded; `/` when it has none. */
function decodedPath(url) {
    let rest = url;
    const schemeEnd = url.indexOf('://');
    if (schemeEnd !== -1) {
        const hostEnd = url.slice(schemeEnd + 3).search(/[/?#]/);
        rest = hostEnd === -1 ? '' : url.slice(schemeEnd + 3 + hostEnd);
    }
    const queryAt = rest.search(/[?#]/);
    const path = queryAt === -1 ? rest : rest.slice(0, queryAt);
    return path === '' ? '/' : decodePath(path);
}
/** Decodes each segment on its own, so that an encoded "/" (%2F) stays inside its segment. */
function decodePath(path) {
    if (!path.includes('%'))
        return path;
    return path
        .split('/')
        .map((segment) => {
        try {
            return decodeURIComponent(segment).replace(/\//g, '%2F');
        }
        catch {
            return segment; // not valid UTF-8 escapes: match it as written
        }
    })
        .join('/');
}
function escapeRegex(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

;// CONCATENATED MODULE: ./src/urls/domains.ts
/**
 * The `domains` allow-list. `*.example.com` covers subdomains only, not example.com itself, as in
 * TLS certificates and Alibaba's wildcard domains.
 */

const HOST_PATTERN = /^(\*\.)?[a-z0-9_-]+(\.[a-z0-9_-]+)*$/;
/** Parses the input, one host per line; blank lines and `#` comments are ignored. */
function parseDomainPatterns(text) {
    const patterns = [];
    text.split(/\r?\n/).forEach((line, index) => {
        const value = line.trim().toLowerCase();
        if (value === '' || value.startsWith('#'))
            return;
        if (!HOST_PATTERN.test(value)) {
            throw new ConfigError(`domains: line ${index + 1} "${line.trim()}" is not a host name; write it like www.example.com or *.example.com`);
        }
        patterns.push(value);
    });
    return patterns;
}
/** Whether `host` is allowed; an empty list allows every host. */
function isAllowedHost(host, patterns) {
    if (patterns.length === 0)
        return true;
    return patterns.some((pattern) => pattern.startsWith('*.')
        ? host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1
        : host === pattern);
}

;// CONCATENATED MODULE: ./src/config/inputs.generated.ts
// Generated from action.yml by scripts/docs.ts (`npm run docs`; `npm run build` runs it too). Do not edit.
const ACTION_INPUTS = [
    {
        name: 'urls',
        description: 'URLs to prefetch, one per line. Blank lines and lines starting with # are ignored. Forms: https://host/path (http too), host/path or host:port/path (taken as https), and /path (resolved against base-url).',
        default: '',
        required: false,
    },
    {
        name: 'urls-file',
        description: 'A workspace-relative file of URLs in the same format as urls. Use it for long lists: Linux refuses an input (environment variable) over 128 KiB.',
        default: '',
        required: false,
    },
    {
        name: 'base-url',
        description: "The site's address that /path entries are appended to, like https://www.example.com, with the folder it is served under if not the root (https://user.github.io/project); with site-dir, where the site is served (required then).",
        default: '',
        required: false,
    },
    {
        name: 'site-dir',
        description: 'The folder your build writes (workspace-relative: public, _site, dist). Every file is hashed and compared with state; the URLs of the added and modified files are prefetched (folder/index.html as folder/), pages whose own content changed first. Needs base-url. Recommended with state.',
        default: '',
        required: false,
    },
    {
        name: 'state',
        description: 'A workspace-relative file read at the start and replaced at the end (never in a dry run): the content hash of every file of the last deploy, and the URLs the quota, the timeout or a passing error left, carried to the next run. Keep it with actions/cache. Alone (no site-dir), a run warms the carried URLs.',
        default: '',
        required: false,
    },
    {
        name: 'content-ignore',
        description: 'Regular expressions, one per line, whose matches are removed from text files of site-dir before hashing: build times and random ids some generators stamp into every page (MkDocs: Build Date UTC : [^\\n]*).',
        default: '',
        required: false,
    },
    {
        name: 'carry-days',
        description: 'Days a carried URL is kept, from the day it was first planned; older ones are dropped with a notice. 0 to 365.',
        default: '7',
        required: false,
    },
    {
        name: 'domains',
        description: 'Allow-list of hosts, one per line; *.example.com matches subdomains, not example.com itself. URLs on other hosts are skipped, not sent. Empty allows every host.',
        default: '',
        required: false,
    },
    {
        name: 'access-key-id',
        description: 'AccessKey ID. Falls back to the ALIBABA_CLOUD_ACCESS_KEY_ID environment variable.',
        default: '',
        required: false,
    },
    {
        name: 'access-key-secret',
        description: 'AccessKey secret. Falls back to the ALIBABA_CLOUD_ACCESS_KEY_SECRET environment variable.',
        default: '',
        required: false,
    },
    {
        name: 'security-token',
        description: 'STS security token, with temporary credentials. Falls back to ALIBABA_CLOUD_SECURITY_TOKEN.',
        default: '',
        required: false,
    },
    {
        name: 'endpoint',
        description: 'CDN API endpoint: an origin like https://cdn.aliyuncs.com, no path (a host alone is taken as https). Plain http warns, except to this machine (a local emulator).',
        default: 'https://cdn.aliyuncs.com',
        required: false,
    },
    {
        name: 'signature-version',
        description: 'v3 (ACS3-HMAC-SHA256) or v1 (HMAC-SHA1, SignatureVersion 1.0).',
        default: 'v3',
        required: false,
    },
    {
        name: 'area',
        description: "Area to prefetch in: domestic (Chinese mainland) or overseas. Empty: the domain's own service area.",
        default: '',
        required: false,
    },
    {
        name: 'l2-preload',
        description: 'true to require the prefetch to reach L2 nodes (L2Preload). Empty: not sent.',
        default: '',
        required: false,
    },
    {
        name: 'with-header',
        description: 'JSON object of header name to an array of values sent with the prefetch requests (WithHeader), like {"Accept-Encoding":["gzip"]}. Empty: not sent.',
        default: '',
        required: false,
    },
    {
        name: 'query-hashkey',
        description: "true to use the domain's cache key rules for the hash key (QueryHashkey). Empty: not sent.",
        default: '',
        required: false,
    },
    {
        name: 'batch-size',
        description: 'URLs per PushObjectCache call, 1 to 100.',
        default: '100',
        required: false,
    },
    {
        name: 'daily-quota',
        description: 'auto reads the prefetch quota left today (DescribeRefreshQuota) and spends no more; a whole number caps this run instead.',
        default: 'auto',
        required: false,
    },
    {
        name: 'requests-per-second',
        description: "Calls per second, at most 50 (the API's limit).",
        default: '50',
        required: false,
    },
    {
        name: 'fail-on',
        description: 'error: fail the step when any URL failed; skipped: also when any URL was skipped for quota or held back because its refresh did not complete; never: URL outcomes never fail the step. Configuration and credential errors always fail it.',
        default: 'error',
        required: false,
    },
    {
        name: 'dry-run',
        description: 'true to plan and report without sending anything that changes state. Works without credentials.',
        default: 'false',
        required: false,
    },
    {
        name: 'request-timeout',
        description: "Seconds allowed for each HTTP request (connecting, the answer and its body) to the CDN API, STS, remote sitemaps and GitHub's contents API. Also how long a call whose answer was lost is looked up (at least 5 s) before it may be sent again.",
        default: '30',
        required: false,
    },
    {
        name: 'timeout',
        description: 'Seconds allowed for the whole run. At the deadline sending stops, what was not sent is failed with reason deadline, and outputs, summary and report are written. Empty: 600, plus wait-timeout for each wait that may happen: the refresh wait (refresh: true, or changed with site-dir, state or sitemap) and wait.',
        default: '',
        required: false,
    },
    {
        name: 'refresh',
        description: 'Which URLs are refreshed (RefreshObjectCaches) before their prefetch: a prefetch does not replace a copy the CDN already holds. changed: those whose content changed in place (modified files of site-dir or URLs of the sitemap diff, and carried ones not refreshed yet), never an added one or a urls / urls-file entry; true: every planned URL; false: none. Each is refreshed in this run, within the refresh quota (UrlRemain), even when its prefetch waits for a later run, and is prefetched only once its refresh task is Complete (waiting up to wait-timeout); otherwise it is held back (with state, carried to a later run).',
        default: 'changed',
        required: false,
    },
    {
        name: 'wait',
        description: 'true to poll the prefetch tasks after submission (DescribeRefreshTaskById) until every submitted URL is Complete or Failed, or wait-timeout passes.',
        default: 'false',
        required: false,
    },
    {
        name: 'wait-timeout',
        description: 'Seconds each wait (the refresh wait, the prefetch wait) may last, from its own start.',
        default: '900',
        required: false,
    },
    {
        name: 'poll-interval',
        description: 'Seconds between polls, at least 1. The pause grows x1.5 while nothing changes, up to 6 times this.',
        default: '10',
        required: false,
    },
    {
        name: 'role-arn',
        description: "RAM role to assume with the job's GitHub OIDC token (acs:ram::<uid>:role/<name>) instead of using AccessKeys. Needs permissions: id-token: write.",
        default: '',
        required: false,
    },
    {
        name: 'oidc-provider-arn',
        description: 'The RAM OIDC provider for GitHub (acs:ram::<uid>:oidc-provider/<name>). Required with role-arn.',
        default: '',
        required: false,
    },
    {
        name: 'role-session-name',
        description: 'RoleSessionName of the assumed role, 2 to 64 characters of letters, digits and . @ _ -. Empty: cdn-prefetch-<run id>.',
        default: '',
        required: false,
    },
    {
        name: 'audience',
        description: "Audience of the GitHub ID token; the OIDC provider's client ID list must contain it.",
        default: 'sts.aliyuncs.com',
        required: false,
    },
    {
        name: 'role-duration-seconds',
        description: "Lifetime of the assumed credentials, 900 up to the role's maximum session duration. Longer runs renew them.",
        default: '900',
        required: false,
    },
    {
        name: 'sts-endpoint',
        description: 'STS API endpoint for AssumeRoleWithOIDC: an origin like https://sts.aliyuncs.com, no path (a host alone is taken as https). Plain http warns, except to this machine (a local emulator).',
        default: 'https://sts.aliyuncs.com',
        required: false,
    },
    {
        name: 'sitemap',
        description: 'Workspace path or http(s) URL of the deployed sitemap or sitemap index (plain or gzip). Its added and changed URLs are prefetched, after any urls and urls-file entries. With site-dir it is no diff: it only gives the files their priorities and URL forms.',
        default: '',
        required: false,
    },
    {
        name: 'previous-sitemap',
        description: 'Workspace path or http(s) URL of the sitemap before this deploy: the baseline of the diff. A flat file written by save-sitemap is the usual choice.',
        default: '',
        required: false,
    },
    {
        name: 'previous-ref',
        description: 'A git ref or SHA: the baseline is the same path as sitemap at that ref in this repository, read through the GitHub API (a shallow checkout works). Needs sitemap to be a workspace path.',
        default: '',
        required: false,
    },
    {
        name: 'github-token',
        description: 'Token for reading previous-ref through the GitHub API; needs permissions: contents: read.',
        default: '${{ github.token }}',
        required: false,
    },
    {
        name: 'changes',
        description: 'Which URLs of the sitemap diff or site-dir to prefetch: added,modified (new, or with a different lastmod or content), added, modified, or all (every URL or file, as for a first deploy; no baseline is read).',
        default: 'added,modified',
        required: false,
    },
    {
        name: 'include-images',
        description: 'true to prefetch the <image:loc> URLs of the selected pages too, right after each page.',
        default: 'false',
        required: false,
    },
    {
        name: 'exclude',
        description: 'Glob patterns on the URL path, one per line (/tags/**), applied to every source; * stays within a segment, ** crosses segments, /x/** also matches /x.',
        default: '',
        required: false,
    },
    {
        name: 'save-sitemap',
        description: 'A path: read sitemap (following every child) and write its URLs and lastmods there as one flat urlset, and send nothing. Run it before a deploy to keep a baseline.',
        default: '',
        required: false,
    },
];

;// CONCATENATED MODULE: ./src/config/values.ts
/**
 * Parsers of one input value each, named by the input spec (inputs.ts). Each takes the trimmed value
 * (the spec's default when the input is empty) and returns what the config holds, or throws a
 * ConfigError that names the input and says how to fix it. None reads another input.
 */

/** The YAML 1.2 core schema's spellings, as @actions/core's getBooleanInput accepts them. */
function parseSwitch(value, name) {
    if (['true', 'True', 'TRUE'].includes(value))
        return true;
    if (['false', 'False', 'FALSE'].includes(value))
        return false;
    throw new ConfigError(`${name}: "${value}" must be true or false`, name);
}
/** The words `refresh` takes: `changed`, or a switch's `true` / `false` (in any spelling parseSwitch takes). */
const REFRESH_WORDS = ['changed', 'true', 'false'];
/** `refresh`: `changed` (what changed in place), `true` (every planned URL) or `false` (none). */
function parseRefresh(value, name) {
    if (value.toLowerCase() === REFRESH_WORDS[0])
        return 'changed';
    try {
        return parseSwitch(value, name) ? 'all' : 'none';
    }
    catch {
        throw new ConfigError(`${name}: "${value}" must be changed (refresh what changed in place), true (refresh every URL) or false`, name);
    }
}
function parseWhole(value, name, min, max) {
    const number = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(number) || number < min || number > max) {
        throw new ConfigError(`${name}: "${value}" must be a whole number from ${min} to ${max}`, name);
    }
    return number;
}
function parseChoice(value, name, choices) {
    const match = choices.find((choice) => choice === value.toLowerCase());
    if (match === undefined) {
        throw new ConfigError(`${name}: "${value}" must be one of ${choices.join(', ')}`, name);
    }
    return match;
}
/** `daily-quota`: auto, or a whole number of URLs that caps this run. */
function parseDailyQuota(value, name) {
    if (value.toLowerCase() === 'auto')
        return 'auto';
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
        throw new ConfigError(`${name}: "${value}" must be "auto" or a whole number of URLs, like 500`, name);
    }
    return Number(value);
}
/**
 * `base-url`: the scheme and host, and the folder the site is served under when it is not the root
 * (a GitHub Pages project site: `https://user.github.io/project`). Kept without its trailing slash:
 * `/path` entries and the built site's files are appended to it. A query, a fragment or a user name
 * and password would be silently dropped or sent with every URL, so they are refused; a password is
 * never repeated.
 */
function parseBaseUrl(value, name) {
    if (value === '')
        return undefined;
    const shown = value.includes('@') ? 'the value (not repeated: it may hold a password)' : `"${value}"`;
    let url;
    try {
        url = new URL(value);
    }
    catch {
        throw new ConfigError(`${name}: ${shown} is not a URL; write the scheme and host, like https://www.example.com`, name);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new ConfigError(`${name}: ${shown} is not an http(s) URL; write it like https://www.example.com`, name);
    }
    if (url.username !== '' || url.password !== '') {
        throw new ConfigError(`${name}: ${shown} has a user name or password; write only the site's address, like ${url.origin}`, name);
    }
    if (url.search !== '' || url.hash !== '' || value.includes('?') || value.includes('#')) {
        throw new ConfigError(`${name}: ${shown} has a query or fragment; write the site's address, like ${url.origin}${url.pathname.replace(/\/+$/, '')}`, name);
    }
    return url.origin + url.pathname.replace(/\/+$/, '');
}
/**
 * An API endpoint (`endpoint`, `sts-endpoint`): an http(s) origin, `https://` when no scheme is given.
 * Calls go to the host's root and are signed with the AccessKey, so a path, a query or a user name and
 * password would be dropped without a word: they are refused instead. A value that may hold a password
 * (it has an `@`) is never repeated in a message.
 */
function parseEndpoint(value, name, example) {
    const shown = value.includes('@') ? 'the value (not repeated: it may hold a password)' : `"${value}"`;
    let url;
    try {
        url = new URL(value.includes('://') ? value : `https://${value}`);
    }
    catch {
        throw new ConfigError(`${name}: ${shown} is not a URL; write an origin like ${example}`, name);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new ConfigError(`${name}: ${shown} must be an http(s) URL, like ${example}`, name);
    }
    if (url.username !== '' || url.password !== '') {
        throw new ConfigError(`${name}: a user name or password in the URL is never used (calls are signed with the AccessKey); ` +
            `remove it and write ${url.origin}`, name);
    }
    if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
        throw new ConfigError(`${name}: ${shown} has a path or query, which the API calls would drop; write only the origin, ${url.origin}`, name);
    }
    return url.origin;
}
/** Whether requests to this origin cross a network in clear text: http to a host other than this machine. */
function isClearText(origin) {
    const url = new URL(origin);
    return url.protocol === 'http:' && !isLoopback(url.hostname);
}
function isLoopback(hostname) {
    return hostname === 'localhost' || hostname === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}
/** `with-header`: a JSON object of header name to an array of values; kept as compact JSON. */
function parseWithHeader(value, name) {
    if (value === '')
        return undefined;
    const hint = 'write a JSON object whose values are arrays of strings, like {"Accept-Encoding":["gzip"]}';
    let parsed;
    try {
        parsed = JSON.parse(value);
    }
    catch (error) {
        throw new ConfigError(`${name}: not valid JSON (${error.message}); ${hint}`, name);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new ConfigError(`${name}: ${hint}`, name);
    }
    for (const [header, values] of Object.entries(parsed)) {
        if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) {
            throw new ConfigError(`${name}: the value of "${header}" must be an array of strings; ${hint}`, name);
        }
    }
    return JSON.stringify(parsed);
}
const ROLE_ARN = /^acs:ram::\d+:role\/[A-Za-z0-9.@_-]+$/i;
const OIDC_PROVIDER_ARN = /^acs:ram::\d+:oidc-provider\/[A-Za-z0-9.@_-]+$/i;
const SESSION_NAME = /^[A-Za-z0-9.@_-]{2,64}$/;
function parseRoleArn(value, name) {
    if (value !== '' && !ROLE_ARN.test(value)) {
        throw new ConfigError(`${name}: "${value}" is not a RAM role ARN; write it like acs:ram::1234567890123456:role/github-cdn-prefetch`, name);
    }
    return value;
}
function parseOidcProviderArn(value, name) {
    if (value !== '' && !OIDC_PROVIDER_ARN.test(value)) {
        throw new ConfigError(`${name}: "${value}" is not a RAM OIDC provider ARN; write it like acs:ram::1234567890123456:oidc-provider/github`, name);
    }
    return value;
}
function parseSessionName(value, name) {
    if (value !== '' && !SESSION_NAME.test(value)) {
        throw new ConfigError(`${name}: "${value}" must be 2 to 64 characters of letters, digits and . @ _ -`, name);
    }
    return value;
}
/** `cdn-prefetch-<run id>`, cut down to what RoleSessionName accepts. */
function defaultSessionName(runId) {
    const name = `cdn-prefetch-${runId?.trim() ?? ''}`.replace(/[^A-Za-z0-9.@_-]/g, '-').slice(0, 64);
    return name.replace(/-+$/, '') || 'cdn-prefetch';
}
/** Runs a parser of a lower layer that throws plain Errors, so that its mistakes are configuration errors. */
function asConfigError(name, parse) {
    try {
        return parse();
    }
    catch (error) {
        if (error instanceof ConfigError)
            throw new ConfigError(error.message, error.input ?? name);
        throw new ConfigError(error.message, name);
    }
}

;// CONCATENATED MODULE: ./src/config/inputs.ts
/**
 * The input spec: for every input of action.yml, its kind and its parser, and whether the CLI has it as
 * a flag. The action's config (parse.ts) and the CLI's flags (cli/flags.ts) both come from this table.
 * What users read stays in action.yml, defaults included: they are written there only, and reach the
 * spec through src/config/inputs.generated.ts, which `npm run docs` and `npm run build` generate from
 * action.yml and `npm run docs:check` (CI) checks. A test (and every one of those commands) fails when
 * the spec and action.yml disagree on the names, their order, `required`, or which inputs have a default.
 */








const FLAG = { flag: true };
const IN_CLI_RELATIVE = 'In the CLI: relative to the current directory.';
const OIDC_ONLY = { flag: false, instead: 'GitHub OIDC exists only inside GitHub Actions' };
/** A whole number or a choice whose action.yml default is never empty: its value is never undefined. */
const DEFAULTED = { defaulted: true };
/** A spec without its default, which withDefaults() takes from action.yml. */
function spec(kind, options, parse) {
    const defaulted = options.defaulted ?? false;
    return { kind, default: '', defaulted, required: false, cli: options.cli ?? FLAG, parse };
}
/** One value, kept as given (trimmed) unless a parser is named. */
function inputs_text(options = {}) {
    return spec('text', options, options.parse ?? ((value) => value));
}
/** One entry per line; the parser gets the text as given. */
function list(options = {}) {
    return spec('list', options, options.parse ?? ((value) => value));
}
function inputs_path(options = {}) {
    return spec('path', options, (value) => value);
}
/** true or false: always given a default, as @actions/core's getBooleanInput needs one. */
function switchInput() {
    return spec('switch', DEFAULTED, parseSwitch);
}
/** Empty means "not sent": the API's own default applies. */
function optionalSwitch() {
    return spec('optional-switch', {}, (value, name) => (value === '' ? undefined : parseSwitch(value, name)));
}
function whole(min, max, options = {}) {
    const parse = (value, name) => value === '' ? undefined : parseWhole(value, name, min, max);
    return { ...spec('whole', options, options.parse ?? parse), range: { min, max } };
}
function choice(choices, options = {}) {
    const parse = (value, name) => value === '' ? undefined : parseChoice(value, name, choices);
    return { ...spec('choice', options, parse), choices };
}
/** Never a flag: on a command line it would land in shell history and `ps`. Empty is undefined. */
function secret(env, options = {}) {
    const instead = options.instead ?? `set the ${env} environment variable instead`;
    const parse = (value) => (value === '' ? undefined : value);
    return { ...spec('secret', { cli: { flag: false, instead } }, parse), ...(env ? { env } : {}) };
}
/** An endpoint: an origin, and errors that show the default as the example of one. */
function endpoint(options = {}) {
    return inputs_text({ ...options, parse: (value, name) => parseEndpoint(value, name, actionDefault(name)) });
}
/** The default action.yml gives the input (through inputs.generated.ts); '' for none. */
function actionDefault(name) {
    return ACTION_INPUTS.find((input) => input.name === name)?.default ?? '';
}
/**
 * The table with each input's default, as action.yml writes it. (Generic over any object, not a record
 * of specs: that contextual type would widen each parser's result.)
 */
function withDefaults(table) {
    const specs = Object.entries(table);
    return Object.fromEntries(specs.map(([name, spec]) => [name, { ...spec, default: actionDefault(name) }]));
}
/** Every input of action.yml, in its order. */
const INPUTS = withDefaults({
    urls: list(),
    'urls-file': inputs_path({
        cli: {
            flag: true,
            note: 'In the CLI: relative to the current directory; - reads the list from standard input.',
        },
    }),
    'base-url': inputs_text({ parse: parseBaseUrl }),
    'site-dir': inputs_path({ cli: { flag: true, note: IN_CLI_RELATIVE } }),
    state: inputs_path({ cli: { flag: true, note: IN_CLI_RELATIVE } }),
    'content-ignore': list({
        parse: (value) => asConfigError('content-ignore', () => compileContentIgnore(value)),
    }),
    'carry-days': whole(0, 365, DEFAULTED),
    domains: list({ parse: (value) => asConfigError('domains', () => parseDomainPatterns(value)) }),
    'access-key-id': secret('ALIBABA_CLOUD_ACCESS_KEY_ID'),
    'access-key-secret': secret('ALIBABA_CLOUD_ACCESS_KEY_SECRET'),
    'security-token': secret('ALIBABA_CLOUD_SECURITY_TOKEN'),
    endpoint: endpoint(),
    'signature-version': choice(['v3', 'v1'], DEFAULTED),
    area: choice(['domestic', 'overseas']),
    'l2-preload': optionalSwitch(),
    'with-header': inputs_text({ parse: parseWithHeader }),
    'query-hashkey': optionalSwitch(),
    'batch-size': whole(1, LIMITS.maxBatchSize, DEFAULTED),
    'daily-quota': inputs_text({ parse: parseDailyQuota }),
    'requests-per-second': whole(1, LIMITS.maxRequestsPerSecond, DEFAULTED),
    'fail-on': choice(['error', 'skipped', 'never'], {
        ...DEFAULTED,
        cli: { flag: true, note: 'In the CLI it decides the exit code: 1 where the step would fail.' },
    }),
    'dry-run': switchInput(),
    'request-timeout': whole(1, 600, DEFAULTED),
    // Empty: 600 s plus wait-timeout for each wait that is on (parse.ts), so it never cuts a wait short.
    timeout: whole(1, 6 * 3600),
    refresh: { ...spec('choice', DEFAULTED, parseRefresh), choices: REFRESH_WORDS },
    wait: switchInput(),
    'wait-timeout': whole(1, 6 * 3600, DEFAULTED),
    'poll-interval': whole(1, 3600, DEFAULTED),
    'role-arn': inputs_text({
        parse: parseRoleArn,
        cli: {
            flag: false,
            instead: 'GitHub OIDC exists only inside GitHub Actions; set the ALIBABA_CLOUD_* variables instead',
        },
    }),
    'oidc-provider-arn': inputs_text({ parse: parseOidcProviderArn, cli: OIDC_ONLY }),
    // Empty: cdn-prefetch-<run id> (parse.ts).
    'role-session-name': inputs_text({ parse: parseSessionName, cli: OIDC_ONLY }),
    audience: inputs_text({ cli: OIDC_ONLY }),
    'role-duration-seconds': whole(900, 43_200, { ...DEFAULTED, cli: OIDC_ONLY }),
    'sts-endpoint': endpoint({ cli: OIDC_ONLY }),
    sitemap: inputs_text(),
    'previous-sitemap': inputs_text(),
    'previous-ref': inputs_text({
        cli: {
            flag: false,
            instead: 'it reads the repository through GitHub, inside GitHub Actions only; use --previous-sitemap',
        },
    }),
    'github-token': secret(undefined, { instead: 'it exists only inside GitHub Actions' }),
    changes: inputs_text({ parse: (value) => asConfigError('changes', () => parseChanges(value)) }),
    'include-images': switchInput(),
    exclude: list({ parse: (value) => asConfigError('exclude', () => compileExcludes(value)) }),
    'save-sitemap': inputs_path(),
});
// Every entry is an InputSpec (not `satisfies`: its contextual type would widen each parser's result).
const SPECS = INPUTS;
const INPUT_NAMES = Object.keys(INPUTS);
/** The default the parser sees: one the runner expands (`${{ github.token }}`) means nothing elsewhere. */
function effectiveDefault(input) {
    return input.default.includes('${{') ? '' : input.default;
}
/** Parses every input, each on its own, so that every wrong value is reported, not just the first. */
function readInputs(input) {
    const values = {};
    const errors = [];
    const failed = new Set();
    for (const name of INPUT_NAMES) {
        const spec = SPECS[name];
        const given = input(name);
        const value = spec.kind === 'list' ? given : given.trim();
        try {
            values[name] = spec.parse(value.trim() === '' ? effectiveDefault(spec) : value, name);
        }
        catch (error) {
            if (!(error instanceof ConfigError))
                throw error;
            errors.push(error.input === undefined ? new ConfigError(error.message, name) : error);
            failed.add(name);
            values[name] = spec.parse(effectiveDefault(spec), name);
        }
    }
    return { values: values, errors, failed };
}
/**
 * Where action.yml and this spec disagree (names, order, required, which inputs have a default); empty
 * when they agree. The default values themselves are action.yml's alone.
 */
function specMismatches(declared) {
    const problems = [];
    const inSpec = new Set(INPUT_NAMES);
    const inYaml = new Set(declared.map((input) => input.name));
    for (const input of declared) {
        if (!inSpec.has(input.name)) {
            problems.push(`action.yml has input "${input.name}", which src/config/inputs.ts does not`);
            continue;
        }
        const spec = SPECS[input.name];
        if (spec.defaulted && input.default === '') {
            problems.push(`input "${input.name}": src/config/inputs.ts reads it as always set, but action.yml gives it no default`);
        }
        if (!spec.defaulted && input.default !== '' && (spec.kind === 'whole' || spec.kind === 'choice')) {
            problems.push(`input "${input.name}": action.yml gives it a default, which src/config/inputs.ts does not expect (mark it DEFAULTED)`);
        }
        if (spec.required !== input.required) {
            problems.push(`input "${input.name}": action.yml says required: ${input.required}, src/config/inputs.ts says ${spec.required}`);
        }
    }
    for (const name of INPUT_NAMES) {
        if (!inYaml.has(name))
            problems.push(`src/config/inputs.ts has input "${name}", which action.yml does not`);
    }
    const shared = declared.map((input) => input.name).filter((name) => inSpec.has(name));
    const specOrder = INPUT_NAMES.filter((name) => inYaml.has(name));
    if (problems.length === 0 && shared.join() !== specOrder.join()) {
        problems.push('src/config/inputs.ts lists the inputs in another order than action.yml');
    }
    return problems;
}

;// CONCATENATED MODULE: external "node:os"
const external_node_os_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");
var external_node_os_default = /*#__PURE__*/__nccwpck_require__.n(external_node_os_namespaceObject);
;// CONCATENATED MODULE: ./src/config/problems.ts
/**
 * Every configuration mistake of a run, reported together: a person fixes them all in one go instead
 * of meeting them one failed run at a time.
 */

/** Several configuration errors at once; `errors` keeps each one, with the input it names. */
class ConfigErrors extends ConfigError {
    errors;
    constructor(errors) {
        super(`${errors.length} problems to fix:\n` + errors.map((error) => `  - ${error.message}`).join('\n'));
        this.name = 'ConfigErrors';
        this.errors = errors;
    }
}
/** The errors inside a configuration error: itself, or each one of a ConfigErrors. */
function configErrorsOf(error) {
    return error instanceof ConfigErrors ? error.errors : [error];
}
/** Thrown by `CheckedInputs.get` for an input already reported: the check that needed it cannot run. */
class AlreadyReported extends Error {
}
/** The inputs' values, with the errors found so far; the checks of combinations add theirs. */
class CheckedInputs {
    read;
    errors;
    constructor(read) {
        this.read = read;
        this.errors = [...read.errors];
    }
    /** An input's value. Inside `check`, an input whose value was wrong stops that check. */
    get(name) {
        if (this.read.failed.has(name))
            throw new AlreadyReported(name);
        return this.read.values[name];
    }
    /**
     * Runs one check of a combination, recording its ConfigError. A check that needs a wrong input is
     * skipped: that input is reported already, and a guess in its place would only add false errors.
     * The placeholder returned then is never used: `throwIfAny` throws before the config is built.
     */
    check(fn) {
        try {
            return fn();
        }
        catch (error) {
            if (error instanceof ConfigError)
                this.errors.push(error);
            else if (!(error instanceof AlreadyReported))
                throw error;
            return undefined;
        }
    }
    throwIfAny() {
        const [first] = this.errors;
        if (first === undefined)
            return;
        throw this.errors.length === 1 ? first : new ConfigErrors(this.errors);
    }
}

;// CONCATENATED MODULE: ./src/config/parse.ts
/**
 * Inputs → Config. A pure function of a name → value reader, the environment and the run's context,
 * so it is table-tested without mocks. Every value is parsed by the input spec (inputs.ts); then the
 * combinations are checked; then the credentials. All the mistakes found are thrown together.
 */







/** Credentials from inputs, falling back to the variables aliyun/configure-aliyun-credentials-action exports. */
function readCredentials(input, env) {
    const pick = (name) => {
        const variable = INPUTS[name].env;
        const value = input(name).trim() || (variable ? env[variable]?.trim() : '') || '';
        return value === '' ? undefined : value;
    };
    const accessKeyId = pick('access-key-id');
    const accessKeySecret = pick('access-key-secret');
    const securityToken = pick('security-token');
    return {
        ...(accessKeyId ? { accessKeyId } : {}),
        ...(accessKeySecret ? { accessKeySecret } : {}),
        ...(securityToken ? { securityToken } : {}),
    };
}
function parseConfig(input, env, credentials, context = {}) {
    const inputs = new CheckedInputs(readInputs(input));
    const workspace = env['GITHUB_WORKSPACE'] || process.cwd();
    const follow = inputs.check(() => followOptions(inputs));
    const sitemap = inputs.check(() => sitemapConfig(inputs, workspace, context.github));
    // Two checks: one that needs content-ignore or carry-days must not hide base-url's.
    inputs.check(() => {
        const siteDir = inputs.get('site-dir');
        if (siteDir !== '')
            checkSiteDir(inputs, siteDir, inputs.get('state'), workspace);
    });
    const site = inputs.check(() => siteConfig(inputs));
    inputs.check(() => checkSaveSitemapAlone(inputs, context));
    const oidc = inputs.check(() => oidcConfig(inputs, env));
    // Credentials last: a wrong value is worth knowing before "no AccessKey found".
    const access = inputs.check(() => accessKeys(inputs, credentials));
    inputs.throwIfAny();
    const urlsFile = context.urlsFromStdin ? '' : inputs.get('urls-file');
    const baseUrl = inputs.get('base-url');
    const timeout = inputs.get('timeout');
    return {
        urlsText: inputs.get('urls'),
        ...(urlsFile ? { urlsFile: external_node_path_default().resolve(workspace, urlsFile) } : {}),
        ...(baseUrl ? { baseUrl } : {}),
        domains: inputs.get('domains'),
        // With role-arn, the role's short-lived credentials replace any AccessKey.
        ...(oidc ? { oidc } : access),
        endpoint: inputs.get('endpoint'),
        signatureVersion: inputs.get('signature-version'),
        push: pushOptions(inputs),
        batchSize: inputs.get('batch-size'),
        dailyQuota: inputs.get('daily-quota'),
        requestsPerSecond: inputs.get('requests-per-second'),
        failOn: inputs.get('fail-on'),
        dryRun: inputs.get('dry-run'),
        reportDir: env['RUNNER_TEMP'] || external_node_os_default().tmpdir(),
        requestTimeoutMs: inputs.get('request-timeout') * 1000,
        timeoutMs: (timeout ?? defaultTimeoutSeconds(follow, refreshMayWait(inputs))) * 1000,
        follow,
        exclude: inputs.get('exclude'),
        ...(sitemap ? { sitemap } : {}),
        ...(site ? { site } : {}),
        workspace,
        messages: configMessages(inputs, oidc, context.github),
    };
}
function pushOptions(inputs) {
    const push = {};
    const area = inputs.get('area');
    const l2Preload = inputs.get('l2-preload');
    const queryHashkey = inputs.get('query-hashkey');
    const withHeader = inputs.get('with-header');
    if (area !== undefined)
        push.area = area;
    if (l2Preload !== undefined)
        push.l2Preload = l2Preload;
    if (queryHashkey !== undefined)
        push.queryHashkey = queryHashkey;
    if (withHeader !== undefined)
        push.withHeader = withHeader;
    return push;
}
/** `refresh`, `wait`, `wait-timeout` and `poll-interval`. */
function followOptions(inputs) {
    return {
        refresh: inputs.get('refresh'),
        wait: inputs.get('wait'),
        waitTimeoutMs: inputs.get('wait-timeout') * 1000,
        pollIntervalMs: inputs.get('poll-interval') * 1000,
    };
}
/**
 * The run's own deadline when `timeout` is not set: 10 minutes for sending, plus `wait-timeout` for each
 * wait that may happen, so that the default deadline never cuts a wait short of its own bound.
 */
function defaultTimeoutSeconds(follow, refreshMayWait) {
    const waits = (refreshMayWait ? 1 : 0) + (follow.wait ? 1 : 0);
    return 600 + (waits * follow.waitTimeoutMs) / 1000;
}
/**
 * Whether the run may wait for refresh tasks: with `refresh: true`, or with `refresh: changed` when a
 * source can say what changed in place (site-dir, state, a sitemap diff); a list alone never does.
 */
function refreshMayWait(inputs) {
    const mode = inputs.get('refresh');
    if (mode === 'none' || mode === 'all')
        return mode === 'all';
    return inputs.get('site-dir') !== '' || inputs.get('state') !== '' || inputs.get('sitemap') !== '';
}
const SITEMAP_COMPANIONS = ['previous-sitemap', 'previous-ref', 'save-sitemap'];
/** `sitemap`, `previous-sitemap`, `previous-ref`, `github-token`, `changes`, `include-images`, `save-sitemap`. */
function sitemapConfig(inputs, workspace, github) {
    const sitemap = inputs.get('sitemap');
    if (sitemap === '') {
        const set = SITEMAP_COMPANIONS.filter((name) => inputs.get(name) !== '');
        if (set.length > 0) {
            throw new ConfigError(`${set.join(' and ')} ${set.length > 1 ? 'are' : 'is'} set but sitemap is empty; ` +
                "set sitemap to the deployed sitemap's path or URL.", set[0]);
        }
        return undefined;
    }
    const previousSitemap = inputs.get('previous-sitemap');
    const previousRef = inputs.get('previous-ref');
    const saveSitemap = inputs.get('save-sitemap');
    checkBaselineInputs(sitemap, previousSitemap, previousRef);
    checkSaveTarget(sitemap, saveSitemap, workspace);
    return {
        sitemap,
        ...(previousSitemap ? { previousSitemap } : {}),
        ...(previousRef ? { previousRef, github: repoAccess(inputs, github) } : {}),
        changes: inputs.get('changes'),
        includeImages: inputs.get('include-images'),
        ...(saveSitemap ? { saveSitemap } : {}),
    };
}
function checkBaselineInputs(sitemap, previousSitemap, previousRef) {
    if (previousSitemap && previousRef) {
        throw new ConfigError('previous-sitemap and previous-ref are both set: set one of them.', 'previous-ref');
    }
    if (previousRef && isUrl(sitemap)) {
        throw new ConfigError('previous-ref reads the baseline from this repository, so sitemap must be a workspace path, not a URL; ' +
            'use previous-sitemap for a baseline elsewhere.', 'previous-ref');
    }
}
/** save-sitemap must not overwrite the sitemap it reads. */
function checkSaveTarget(sitemap, saveSitemap, workspace) {
    if (saveSitemap === '' || isUrl(sitemap))
        return;
    if (external_node_path_default().resolve(workspace, saveSitemap) === external_node_path_default().resolve(workspace, sitemap)) {
        throw new ConfigError(`save-sitemap: "${saveSitemap}" is the sitemap itself, which saving would overwrite; ` +
            'write the baseline to another path, like sitemap-baseline.xml.', 'save-sitemap');
    }
}
/**
 * `site-dir`, `state`, `content-ignore`, `carry-days` (and `changes`); undefined when neither site-dir
 * nor state is set. What site-dir needs beside it is checked apart (checkSiteDir).
 */
function siteConfig(inputs) {
    const siteDir = inputs.get('site-dir');
    const state = inputs.get('state');
    if (siteDir === '') {
        if (inputs.get('content-ignore').patterns.length > 0) {
            throw new ConfigError('content-ignore is set but site-dir is empty; content-ignore applies to the files of site-dir: set site-dir ' +
                'to the folder your build writes.', 'content-ignore');
        }
        return state === '' ? undefined : { state, ...siteValues(inputs) };
    }
    return { siteDir, ...(state !== '' ? { state } : {}), ...siteValues(inputs) };
}
/**
 * What site-dir needs beside it (base-url), and what it leaves no use for: with site-dir the sitemap
 * gives priorities only, so the inputs that exist for the sitemap diff alone would be dropped without
 * a word; they are refused.
 */
function checkSiteDir(inputs, siteDir, state, workspace) {
    if (inputs.get('base-url') === undefined) {
        throw new ConfigError(`site-dir needs base-url: the URL the site is served at (like https://www.example.com), under which each ` +
            `file of ${siteDir} is warmed. Set base-url.`, 'base-url');
    }
    const sitemapOnly = ['previous-sitemap', 'previous-ref', 'include-images'].filter((name) => name === 'include-images' ? inputs.get(name) : inputs.get(name) !== '');
    if (sitemapOnly.length > 0) {
        throw new ConfigError(`${sitemapOnly.join(' and ')} ${sitemapOnly.length > 1 ? 'are' : 'is'} set with site-dir, which decides what ` +
            'changed by content (images included), so the sitemap only gives priorities and is never diffed: remove ' +
            `${sitemapOnly.length > 1 ? 'them' : 'it'}, or remove site-dir to use the sitemap diff.`, sitemapOnly[0]);
    }
    if (state !== '' && external_node_path_default().resolve(workspace, state) === external_node_path_default().resolve(workspace, siteDir)) {
        throw new ConfigError(`state: "${state}" is site-dir itself; name a file, like .cdn-prefetch/state.json.`, 'state');
    }
}
function siteValues(inputs) {
    return {
        contentIgnore: inputs.get('content-ignore'),
        carryDays: inputs.get('carry-days'),
        changes: inputs.get('changes'),
    };
}
/** save-sitemap sends nothing, so a URL list (or a site) beside it would be dropped without a word. */
function checkSaveSitemapAlone(inputs, context) {
    if (inputs.get('save-sitemap') === '')
        return;
    const lists = [
        inputs.get('urls').trim() !== '' ? 'urls' : '',
        inputs.get('urls-file') !== '' || context.urlsFromStdin ? 'urls-file' : '',
        inputs.get('site-dir') !== '' ? 'site-dir' : '',
        inputs.get('state') !== '' ? 'state' : '',
    ].filter(Boolean);
    if (lists.length === 0)
        return;
    throw new ConfigError(`save-sitemap only saves the sitemap and sends nothing, so ${lists.join(' and ')} would never be sent; ` +
        `run save-sitemap in a step of its own, and prefetch ${lists.join(' and ')} in another.`, 'save-sitemap');
}
function repoAccess(inputs, github) {
    if (github?.repository === undefined) {
        throw new ConfigError('previous-ref: the repository to read from is unknown (no GitHub Actions context: GITHUB_REPOSITORY is ' +
            'not set); previous-ref works inside GitHub Actions, use previous-sitemap elsewhere.', 'previous-ref');
    }
    const { owner, repo } = github.repository;
    return { token: inputs.get('github-token') ?? '', apiUrl: github.apiUrl, owner, repo };
}
function isUrl(value) {
    return /^https?:\/\//i.test(value);
}
/** `role-arn` and its companions; undefined when role-arn is empty (AccessKeys are used then). */
function oidcConfig(inputs, env) {
    const roleArn = inputs.get('role-arn');
    const providerArn = inputs.get('oidc-provider-arn');
    if (roleArn === '') {
        if (providerArn === '')
            return undefined;
        throw new ConfigError('oidc-provider-arn is set but role-arn is empty; set role-arn to the RAM role to assume.', 'role-arn');
    }
    if (providerArn === '') {
        throw new ConfigError('oidc-provider-arn: required with role-arn; write the ARN of the RAM OIDC provider for GitHub, like ' +
            'acs:ram::1234567890123456:oidc-provider/github', 'oidc-provider-arn');
    }
    return {
        roleArn,
        oidcProviderArn: providerArn,
        roleSessionName: inputs.get('role-session-name') || defaultSessionName(env['GITHUB_RUN_ID']),
        audience: inputs.get('audience'),
        durationSeconds: inputs.get('role-duration-seconds'),
        stsEndpoint: inputs.get('sts-endpoint'),
        idTokenRequestAvailable: Boolean(env['ACTIONS_ID_TOKEN_REQUEST_URL'] && env['ACTIONS_ID_TOKEN_REQUEST_TOKEN']),
    };
}
/** The AccessKey, unless role-arn replaces it; a dry run and save-sitemap send nothing and need none. */
function accessKeys(inputs, credentials) {
    if (inputs.get('role-arn') !== '')
        return {};
    const { accessKeyId, accessKeySecret, securityToken } = credentials;
    if (accessKeyId && accessKeySecret) {
        return { credentials: { accessKeyId, accessKeySecret, ...(securityToken ? { securityToken } : {}) } };
    }
    if (accessKeyId || accessKeySecret) {
        const missing = accessKeyId ? 'access-key-secret' : 'access-key-id';
        throw new ConfigError(`credentials: ${missing} (or ${INPUTS[missing].env}) is not set; both the key id and its secret are needed.`, missing);
    }
    if (inputs.get('dry-run') || inputs.get('save-sitemap') !== '')
        return {};
    throw new ConfigError('credentials: no AccessKey found. Set role-arn and oidc-provider-arn to assume a RAM role with the ' +
        "job's GitHub OIDC token (no long-lived key), or the inputs access-key-id and access-key-secret, or the " +
        'environment variables ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (for example with ' +
        'aliyun/configure-aliyun-credentials-action), or use dry-run: true to plan without sending.', 'access-key-id');
}
/** What a person should know about the configuration before the run starts: nothing wrong, but risky. */
function configMessages(inputs, oidc, github) {
    const messages = [];
    const endpoint = inputs.get('endpoint');
    if (isClearText(endpoint)) {
        messages.push(clearTextWarning('endpoint', endpoint, 'signed API calls (and any STS security token)'));
    }
    if (oidc && isClearText(oidc.stsEndpoint)) {
        messages.push(clearTextWarning('sts-endpoint', oidc.stsEndpoint, "GitHub's ID token and the role's credentials"));
    }
    const previousRef = inputs.get('previous-ref');
    if (previousRef !== '' && previousRef === github?.event?.before && github.event?.forced === true) {
        messages.push({
            level: 'notice',
            text: `previous-ref ${previousRef} is the commit before this forced push: if the push rewrote history, ` +
                'the repository may no longer have it, and then there is no baseline.',
        });
    }
    return messages;
}
function clearTextWarning(name, origin, what) {
    return {
        level: 'warning',
        text: `${name}: ${origin} is plain http, so ${what} cross the network unencrypted; ` +
            `use https:// (plain http is meant for a local emulator).`,
    };
}

;// CONCATENATED MODULE: external "node:fs/promises"
const promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");
;// CONCATENATED MODULE: ./src/report/report.ts
/** The JSON report file: every URL and its fate, for later steps and for people. */



async function writeReport(result, dir, redact) {
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, `cdn-prefetch-report-${Date.now()}-${randomBytes(3).toString('hex')}.json`);
    await writeFile(file, reportJson(result, redact), 'utf8');
    return file;
}
/** The report as JSON text: the action's report file, and what the CLI prints with --json. */
function reportJson(result, redact) {
    const report = {
        dryRun: result.dryRun,
        counts: result.counts,
        taskIds: result.taskIds,
        requestIds: result.requestIds,
        ...(result.quotaRemain !== undefined ? { quotaRemain: result.quotaRemain } : {}),
        calls: result.calls,
        apiCalls: result.apiCalls,
        retries: result.retries,
        confirmedByLookup: result.confirmedByLookup,
        // Failed URLs whose call may have been accepted (each marked outcomeUnknown); counted in `failed`.
        outcomeUnknown: result.outcomes.filter((outcome) => outcome.outcomeUnknown).length,
        ...(result.stopped ? { stopped: result.stopped } : {}),
        ...(result.fatal ? { error: result.fatal } : {}),
        ...(result.follow ? { follow: result.follow } : {}),
        ...(result.sitemap ? { sitemap: result.sitemap } : {}),
        ...(result.site ? { site: result.site } : {}),
        ...(result.savedSitemap ? { savedSitemap: result.savedSitemap } : {}),
        urls: result.outcomes.map(({ order: _order, ...outcome }) => outcome),
    };
    return redact(JSON.stringify(report, null, 2)) + '\n';
}

;// CONCATENATED MODULE: ./src/report/verdict.ts
/** The failure, or undefined when the step succeeds. */
function verdict(result, failOn) {
    if (result.fatal)
        return { reason: result.fatal, listed: false };
    if (result.stopped === 'cancelled') {
        const reason = `The run was cancelled: ${result.counts.submitted} URLs were submitted before it stopped; see the report.`;
        return { reason, listed: false };
    }
    if (failOn === 'never')
        return undefined;
    if (result.sitemap?.notRead) {
        return { reason: `The sitemap was not read: ${result.sitemap.notRead}`, listed: true };
    }
    const { failed } = result.counts;
    const quotaSkipped = result.outcomes.filter((o) => o.status === 'skipped' && o.skip === 'quota').length;
    const heldBack = result.outcomes.filter((o) => o.status === 'skipped' && o.skip === 'refresh').length;
    if (failed > 0)
        return { reason: `${failed} of ${result.counts.total} URLs failed`, listed: true };
    const cdnFailure = followFailure(result);
    if (cdnFailure)
        return { reason: cdnFailure, listed: true };
    if (failOn === 'skipped' && quotaSkipped + heldBack > 0) {
        const why = [
            quotaSkipped ? `${quotaSkipped} URLs were skipped for lack of quota` : '',
            heldBack ? `${heldBack} URLs were held back because their refresh did not complete` : '',
        ].filter(Boolean);
        return { reason: `${why.join('; ')} (fail-on: skipped).`, listed: false };
    }
    return undefined;
}
/** The action's failure message, or undefined when the step succeeds. */
function failureMessage(result, failOn) {
    const failure = verdict(result, failOn);
    if (failure === undefined)
        return undefined;
    return failure.listed ? `${failure.reason}; see the job summary and the report.` : failure.reason;
}
/** With `wait`, a prefetch task that ended Failed fails the step under `fail-on: error` (pending ones never do). */
function followFailure(result) {
    const failed = result.follow?.wait?.failed ?? 0;
    if (failed === 0)
        return undefined;
    return `${failed} of ${result.counts.submitted} submitted URLs failed at the CDN (prefetch task Failed)`;
}

;// CONCATENATED MODULE: ./src/batch/pack.ts
/** `quota` undefined means no cap. Input order is kept: by host of first appearance, then within a host. */
function packBatches(candidates, batchSize, quota) {
    if (!Number.isInteger(batchSize) || batchSize < 1)
        throw new Error(`batch size must be >= 1, not ${batchSize}`);
    const ordered = [...candidates].sort((a, b) => a.order - b.order);
    const cap = quota === undefined ? ordered.length : Math.max(0, Math.min(quota, ordered.length));
    const chosen = ordered.slice(0, cap);
    const byHost = new Map();
    for (const item of chosen) {
        const list = byHost.get(item.host);
        if (list)
            list.push(item);
        else
            byHost.set(item.host, [item]);
    }
    const batches = [];
    for (const [host, items] of byHost) {
        for (let start = 0; start < items.length; start += batchSize) {
            batches.push({ host, items: items.slice(start, start + batchSize) });
        }
    }
    // Earliest URL first, so that a run cut short has sent the URLs the user listed first.
    batches.sort((a, b) => (a.items[0]?.order ?? 0) - (b.items[0]?.order ?? 0));
    return { batches, overQuota: ordered.slice(cap) };
}

;// CONCATENATED MODULE: ./src/runtime/retry.ts
/**
 * Retries with exponential backoff and jitter, within a bounded overall time. Each attempt is a new
 * call to `attempt`, so each is signed afresh (new nonce and time).
 */

const DEFAULT_RETRY_POLICY = {
    maxAttempts: 8,
    baseDelayMs: 250,
    maxDelayMs: 10_000,
    queueFullBaseDelayMs: 2_000,
    queueFullMaxDelayMs: 60_000,
    maxElapsedMs: 180_000,
};
/** The pause before retry number `attempt` (1-based): equal jitter, never shorter than Retry-After. */
function backoffDelay(error, attempt, policy, random) {
    const queueFull = error.errorClass === 'queue-full';
    const base = queueFull ? policy.queueFullBaseDelayMs : policy.baseDelayMs;
    const cap = queueFull ? policy.queueFullMaxDelayMs : policy.maxDelayMs;
    const ceiling = Math.min(cap, base * 2 ** (attempt - 1));
    const jittered = ceiling / 2 + random() * (ceiling / 2);
    return Math.round(Math.max(jittered, error.retryAfterMs ?? 0));
}
/**
 * The pause before the next attempt, or undefined when no retry is allowed: the attempts are spent,
 * or the pause would end past the overall bound.
 */
function nextRetryDelay(error, attempt, startedAt, policy, random = Math.random, now = Date.now()) {
    if (!isRetryable(error.errorClass) || attempt >= policy.maxAttempts)
        return undefined;
    const delay = backoffDelay(error, attempt, policy, random);
    return now - startedAt + delay > policy.maxElapsedMs ? undefined : delay;
}
async function withRetries(attempt, policy, hooks = {}) {
    const { sleep: pause = sleep, random = Math.random, now = Date.now } = hooks;
    const started = now();
    for (let attemptNumber = 1;; attemptNumber++) {
        try {
            return await attempt();
        }
        catch (error) {
            if (!(error instanceof AlibabaError) || hooks.signal?.aborted)
                throw error;
            const delay = nextRetryDelay(error, attemptNumber, started, policy, random, now());
            if (delay === undefined)
                throw error;
            hooks.onRetry?.(error, delay, attemptNumber);
            await pause(delay, hooks.signal);
            // Stopped during the pause: no new attempt starts; the last failure stands.
            if (hooks.signal?.aborted)
                throw error;
        }
    }
}
/** Waits `ms`, or less when `signal` aborts (then it resolves early: the caller checks why). */
function sleep(ms, signal) {
    if (signal?.aborted)
        return Promise.resolve();
    return new Promise((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
            clearTimeout(timer);
            signal?.removeEventListener('abort', done);
            resolve();
        }
        signal?.addEventListener('abort', done, { once: true });
    });
}

// EXTERNAL MODULE: ./node_modules/saxes/saxes.js
var saxes = __nccwpck_require__(9800);
;// CONCATENATED MODULE: external "node:net"
const external_node_net_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");
var external_node_net_default = /*#__PURE__*/__nccwpck_require__.n(external_node_net_namespaceObject);
// EXTERNAL MODULE: ./node_modules/http-proxy-agent/dist/index.js
var dist = __nccwpck_require__(1970);
// EXTERNAL MODULE: ./node_modules/https-proxy-agent/dist/index.js
var https_proxy_agent_dist = __nccwpck_require__(3669);
;// CONCATENATED MODULE: ./src/http/proxy.ts



/** The proxy a request to `target` goes through, or undefined when it connects directly. */
function proxyFor(target, env = process.env) {
    if (target.protocol !== 'http:' && target.protocol !== 'https:')
        return undefined;
    if (proxy_isLoopback(target.hostname))
        return undefined;
    if (bypassesProxy(target, firstSet(env, 'no_proxy', 'NO_PROXY')?.value ?? ''))
        return undefined;
    const scheme = target.protocol === 'https:' ? 'https_proxy' : 'http_proxy';
    const setting = firstSet(env, scheme, scheme.toUpperCase());
    return setting ? parseProxyUrl(setting.name, setting.value) : undefined;
}
/**
 * Whether a NO_PROXY list (comma- or space-separated) sends `target` direct. `*` matches every host;
 * `example.com` and `.example.com` (and `*.example.com`) match the domain and all its subdomains;
 * an entry with `:port` matches that port only; IP addresses match exactly.
 */
function bypassesProxy(target, noProxy) {
    const host = bareHost(target.hostname);
    const port = target.port || (target.protocol === 'https:' ? '443' : '80');
    for (const entry of noProxy.split(/[\s,]+/)) {
        if (entry === '')
            continue;
        if (entry === '*')
            return true;
        const { host: pattern, port: entryPort } = splitEntry(entry);
        if (entryPort !== undefined && entryPort !== port)
            continue;
        const domain = pattern.replace(/^\*?\./, '');
        if (domain === '')
            continue;
        if (host === domain || (!external_node_net_default().isIP(domain) && host.endsWith(`.${domain}`)))
            return true;
    }
    return false;
}
/** localhost, *.localhost, 127.0.0.0/8 and ::1 (also IPv4-mapped): never sent to a proxy. */
function proxy_isLoopback(hostname) {
    const host = bareHost(hostname);
    if (host === 'localhost' || host.endsWith('.localhost'))
        return true;
    if (external_node_net_default().isIPv4(host))
        return host.startsWith('127.');
    if (external_node_net_default().isIPv6(host)) {
        // The WHATWG URL parser has already compressed IPv6 (0:0:0:0:0:0:0:1 → ::1, ::ffff:127.0.0.1 → ::ffff:7f00:1).
        return host === '::1' || /^::ffff:7f[0-9a-f]{2}:/.test(host) || /^::ffff:127\./.test(host);
    }
    return false;
}
/** The proxy variable a request to `target` reads, and the proxy it names; undefined when it goes direct. */
function proxySettingFor(target, env = process.env) {
    const proxy = proxyFor(target, env);
    if (proxy === undefined)
        return undefined;
    const scheme = target.protocol === 'https:' ? 'https_proxy' : 'http_proxy';
    const variable = firstSet(env, scheme, scheme.toUpperCase())?.name ?? scheme.toUpperCase();
    return { variable, proxy };
}
/** `code` of the error when a proxy asks for credentials it was not given (HTTP 407). */
const PROXY_AUTH_REQUIRED = 'ERR_PROXY_AUTH_REQUIRED';
/** `code` of the error when the tunnel through a proxy could not be opened: nothing reached the target. */
const PROXY_TUNNEL_FAILED = 'ERR_PROXY_TUNNEL_FAILED';
/** A proxy's refusal, or a tunnel that could not be opened; `code` says which. */
class ProxyError extends Error {
    code;
    constructor(message, code, options) {
        super(message, options);
        this.code = code;
        this.name = 'ProxyError';
    }
}
/**
 * What a 407 means, naming the variable to fix and never its user or password (the message goes to
 * the log and the report).
 */
function proxyAuthMessage(variable, proxy) {
    const given = proxy.username !== '' || proxy.password !== '';
    return (`the proxy ${proxy.host} (${variable}) answered 407 Proxy Authentication Required: ` +
        (given
            ? `it refused the user:password in ${variable}. Check them`
            : `${variable} has no user:password. Add them`) +
        ` (http://user:password@host:port, with @ : / % in them percent-encoded)`);
}
/**
 * Opens the socket to the proxy with a signal that destroys it when the request is given up before the
 * proxy has answered: the agents keep no handle on it, and a proxy that never answers CONNECT would
 * otherwise hold it (and the process) open for ever. Both agents create that socket synchronously, at
 * the start of connect(), from `connectOpts`: the signal is set there for that one call.
 */
async function connectGivingUp(agent, req, connect) {
    const tunnel = new AbortController();
    const giveUp = () => tunnel.abort();
    // node-fetch gives a request up with req.abort(), which emits 'abort'; 'close' covers a destroy.
    req.once('abort', giveUp);
    req.once('close', giveUp);
    // agent-base calls connect() a tick after the request was made: it may have been given up already.
    if (req.destroyed)
        giveUp();
    const shared = agent.connectOpts;
    agent.connectOpts = { ...shared, signal: tunnel.signal };
    let pending;
    try {
        pending = connect();
    }
    finally {
        agent.connectOpts = shared;
    }
    try {
        return await pending;
    }
    finally {
        req.off('abort', giveUp);
        req.off('close', giveUp);
    }
}
/** CONNECT tunnels for https URLs; any answer but 200 is an error with a code, never a fake response. */
class TunnelAgent extends https_proxy_agent_dist.HttpsProxyAgent {
    variable;
    constructor(proxy, variable) {
        super(proxy, { keepAlive: true });
        this.variable = variable;
    }
    async connect(req, opts) {
        let answer;
        const onAnswer = (connect) => {
            answer = connect;
        };
        req.once('proxyConnect', onAnswer);
        let socket;
        try {
            socket = await connectGivingUp(this, req, () => super.connect(req, opts));
        }
        catch (error) {
            throw new ProxyError(`the tunnel through the proxy ${this.proxy.host} (${this.variable}) was not opened: ` +
                describeSocketError(error), PROXY_TUNNEL_FAILED, { cause: error });
        }
        finally {
            req.off('proxyConnect', onAnswer);
        }
        if (answer === undefined || answer.statusCode === 200)
            return socket;
        // The agent hands back a stand-in socket that replays the proxy's answer; we say what it means instead.
        socket.destroy();
        if (answer.statusCode === 407) {
            throw new ProxyError(proxyAuthMessage(this.variable, this.proxy), PROXY_AUTH_REQUIRED);
        }
        throw new ProxyError(`the proxy ${this.proxy.host} (${this.variable}) refused the tunnel: HTTP ${answer.statusCode} ` +
            `${answer.statusText}`.trimEnd(), PROXY_TUNNEL_FAILED);
    }
}
/** Absolute-URI forwarding for http URLs; the socket to the proxy closes with a request given up. */
class ForwardAgent extends dist.HttpProxyAgent {
    variable;
    constructor(proxy, variable) {
        super(proxy, { keepAlive: true });
        this.variable = variable;
    }
    async connect(req, opts) {
        try {
            return await connectGivingUp(this, req, () => super.connect(req, opts));
        }
        catch (error) {
            throw new ProxyError(`cannot reach the proxy ${this.proxy.host} (${this.variable}): ${describeSocketError(error)}`, PROXY_TUNNEL_FAILED, { cause: error });
        }
    }
}
function describeSocketError(error) {
    if (!(error instanceof Error))
        return String(error);
    const code = error.code;
    return typeof code === 'string' && !error.message.includes(code)
        ? `${code} (${error.message})`
        : error.message;
}
const agents = new Map();
/**
 * The agent for a request to `target`: a proxy agent when the environment says so, otherwise
 * undefined (Node's default agent). Agents are kept per proxy so that connections are reused.
 */
function proxyAgentFor(target, env = process.env) {
    const setting = proxySettingFor(target, env);
    if (setting === undefined)
        return undefined;
    const { variable, proxy } = setting;
    const key = `${target.protocol} ${variable} ${proxy.href}`;
    let agent = agents.get(key);
    if (agent === undefined) {
        agent =
            target.protocol === 'https:' ? new TunnelAgent(proxy, variable) : new ForwardAgent(proxy, variable);
        agents.set(key, agent);
    }
    return agent;
}
/** The password of each proxy URL in the environment, so that the adapter can mask it. */
function proxyPasswords(env = process.env) {
    return [...new Set(proxyUserinfo(env).map(({ password }) => password))];
}
/**
 * Every secret a proxy URL of the environment carries: its password, and `user:password`, which
 * Proxy-Authorization sends base64-encoded.
 */
function proxySecrets(env = process.env) {
    const secrets = new Set();
    for (const { user, password } of proxyUserinfo(env)) {
        secrets.add(password);
        secrets.add(`${user}:${password}`);
    }
    return [...secrets];
}
function proxyUserinfo(env) {
    const found = [];
    for (const name of ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY']) {
        const value = env[name]?.trim();
        if (!value)
            continue;
        try {
            const url = new URL(withScheme(value));
            const password = decodeURIComponent(url.password);
            if (password !== '')
                found.push({ user: decodeURIComponent(url.username), password });
        }
        catch {
            // Not a URL: proxyFor reports it when a request would use it.
        }
    }
    return found;
}
function firstSet(env, ...names) {
    for (const name of names) {
        const value = env[name]?.trim();
        if (value)
            return { name, value };
    }
    return undefined;
}
function parseProxyUrl(name, value) {
    let url;
    try {
        url = new URL(withScheme(value));
    }
    catch {
        // The value is not repeated: it may hold a password.
        throw new Error(`${name} is not a proxy URL; write it like http://proxy.example.com:3128`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new Error(`${name}: only http:// and https:// proxies are supported, not ${url.protocol}//`);
    }
    return url;
}
/** `proxy:3128` means `http://proxy:3128`, as curl and @actions/http-client read it. */
function withScheme(value) {
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
}
function splitEntry(entry) {
    const lower = entry.toLowerCase();
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(lower);
    if (bracketed)
        return { host: bracketed[1] ?? '', ...(bracketed[2] ? { port: bracketed[2] } : {}) };
    if (external_node_net_default().isIPv6(lower))
        return { host: lower };
    const withPort = /^(.*):(\d+)$/.exec(lower);
    if (withPort)
        return { host: stripDot(withPort[1] ?? ''), port: withPort[2] ?? '' };
    return { host: stripDot(lower) };
}
function bareHost(hostname) {
    return stripDot(hostname.toLowerCase().replace(/^\[|\]$/g, ''));
}
/** A fully qualified name's trailing dot (`example.com.`) changes nothing. */
function stripDot(host) {
    return host.endsWith('.') ? host.slice(0, -1) : host;
}
/**
 * The no_proxy list rewritten so that @actions/http-client — through which @actions/core asks GitHub
 * for the ID token — reads it as `bypassesProxy` does: it splits on commas only, and matches a bare
 * domain (never a dotted one) against the domain itself. Undefined when no list is set.
 */
function noProxyForActionsHttpClient(env = process.env) {
    const setting = firstSet(env, 'no_proxy', 'NO_PROXY');
    if (setting === undefined)
        return undefined;
    return setting.value
        .split(/[\s,]+/)
        .filter((entry) => entry !== '')
        .map((entry) => entry.replace(/^\*?\.(?=[^.])/, ''))
        .join(',');
}

;// CONCATENATED MODULE: ./src/alibaba/errors.ts

const EXACT = {
    ServiceUnavailable: 'transient',
    InternalError: 'transient',
    'InternalError.Unknown': 'transient',
    ServiceBusy: 'transient',
    PreloadQueueFull: 'queue-full',
    MissingParameter: 'bad-request',
    InvalidParameter: 'bad-request',
    'SingleRequest.OverLimit': 'bad-request',
    InvalidExtensiveDomain: 'domain',
    SignatureDoesNotMatch: 'credentials',
    IncompleteSignature: 'credentials',
    SignatureNonceUsed: 'credentials',
    Forbidden: 'permission',
    OperationDenied: 'permission',
    IllegalOperation: 'permission',
};
const PREFIXES = [
    ['QuotaExceeded', 'quota'],
    ['InvalidObjectPath', 'bad-request'],
    ['InvalidParameter', 'bad-request'],
    ['InvalidDomain', 'domain'],
    ['InvalidExtensiveDomain', 'domain'],
    ['InvalidAccessKeyId', 'credentials'],
    ['InvalidSecurityToken', 'credentials'],
    ['InvalidTimeStamp', 'credentials'],
    ['Forbidden', 'permission'],
    ['OperationDenied', 'permission'],
];
/** Classifies an API error Code; `httpStatus` only decides for codes we have never seen. */
function classifyCode(code, httpStatus) {
    // The official SDK treats any code containing "Throttling" as throttling; so do we.
    if (code.includes('Throttling'))
        return 'throttled';
    const exact = EXACT[code];
    if (exact !== undefined)
        return exact;
    for (const [prefix, errorClass] of PREFIXES) {
        if (code === prefix || code.startsWith(`${prefix}.`))
            return errorClass;
    }
    if (httpStatus !== undefined && httpStatus >= 500)
        return 'transient';
    return 'unknown';
}
/**
 * Network failures that provably sent nothing: the connection was refused, or the host name never
 * resolved, so no byte of the request left the runner. Every other failure once a connection was
 * attempted (a reset, a timeout, an abort, a TLS or protocol error) may have delivered the request.
 */
const NOTHING_SENT = new Set([
    'ECONNREFUSED',
    'ENOTFOUND',
    'EAI_AGAIN',
    'EAI_NONAME',
    'EAI_FAIL',
    // A proxy that closed before answering CONNECT: the tunnel never opened, so nothing reached the CDN.
    PROXY_TUNNEL_FAILED,
]);
/** Whether a network failure with this system error code (NetworkError.code) proves that nothing was sent. */
function sentNothing(systemCode) {
    return systemCode !== undefined && NOTHING_SENT.has(systemCode);
}
/** What a person should check when a fatal error stops the run. */
function adviceFor(error) {
    if (error.advice !== undefined)
        return error.advice;
    if (error.errorClass === 'permission') {
        return (`The RAM user or role lacks permission for cdn:${error.action} (or the account cannot use it). ` +
            `Grant cdn:${error.action} in its RAM policy; see "RAM policy" in the README.`);
    }
    switch (error.code) {
        case 'InvalidTimeStamp.Expired':
            return "The runner's clock is more than 15 minutes off; check its time synchronization.";
        case 'SignatureNonceUsed':
            return 'A request was replayed; this is a bug in cdn-prefetch, please report it.';
        case 'InvalidSecurityToken.Expired':
            return ('The STS credentials have expired. Credentials passed in security-token (or ALIBABA_CLOUD_SECURITY_TOKEN) ' +
                'cannot be renewed by cdn-prefetch: obtain them right before this step, or set role-arn so that ' +
                'cdn-prefetch assumes the role itself and renews the credentials during the run.');
        case 'InvalidAccessKeyId.NotFound':
        case 'InvalidAccessKeyId.Inactive':
            return 'Check access-key-id (or ALIBABA_CLOUD_ACCESS_KEY_ID): the key must exist and be enabled.';
        default:
            if (error.code?.startsWith('InvalidSecurityToken')) {
                return 'Check security-token (or ALIBABA_CLOUD_SECURITY_TOKEN): STS credentials need their token, and expire.';
            }
            return ('Check access-key-secret (or ALIBABA_CLOUD_ACCESS_KEY_SECRET): it must belong to the access key id, ' +
                'with no extra spaces or line breaks.');
    }
}

;// CONCATENATED MODULE: ./src/alibaba/answer.ts
/**
 * Turns whatever came back over HTTP into either the API's answer or a classified AlibabaError.
 * Alibaba answers JSON or XML; proxies and load balancers answer HTML; broken connections answer
 * nothing at all. Each has one defined outcome here.
 *
 * Only an API error `Code` proves that a call was refused. Any other failed answer — a gateway's HTML
 * page, a 5xx without a Code, an empty or unreadable body — may stand in front of a call the CDN went
 * on to accept, so it is marked `outcomeUnknown`, and a caller that spends quota looks the call up
 * before sending it again.
 */



/** Parses an answer; throws AlibabaError for API errors and for anything that is not an API answer. */
function parseAnswer(raw) {
    const text = raw.body.replace(/^\uFEFF/, '').trim();
    const accepted2xx = raw.status >= 200 && raw.status < 300;
    const fields = text.startsWith('{') ? parseJson(text) : text.startsWith('<') ? parseXml(text) : undefined;
    if (fields === undefined) {
        const what = text === '' ? 'an empty answer' : `an answer that is not the API's (${describeBody(raw)})`;
        throw new AlibabaError(`${raw.action}: HTTP ${raw.status} with ${what}`, {
            action: raw.action,
            errorClass: 'transient',
            httpStatus: raw.status,
            // Not the API's answer, so not a refusal: a gateway may answer this after the CDN accepted the call.
            outcomeUnknown: mayHideAcceptance(raw.status),
        });
    }
    const code = stringField(fields, 'Code');
    if (code !== undefined && code !== '' && code !== '200') {
        const message = withoutStringToSign(stringField(fields, 'Message') ?? '');
        const requestId = stringField(fields, 'RequestId');
        const retryAfterMs = parseRetryAfter(raw.retryAfterHeader);
        throw new AlibabaError(`${raw.action}: ${code}${message ? `: ${message}` : ''}`, {
            action: raw.action,
            errorClass: classifyCode(code, raw.status),
            code,
            httpStatus: raw.status,
            requestId,
            retryAfterMs,
        });
    }
    if (accepted2xx && stringField(fields, 'RequestId') === undefined) {
        // Every answer of the API carries a RequestId; a 2xx without one came from something else
        // (a captive portal, a misconfigured proxy) and says nothing about whether the call was accepted.
        throw new AlibabaError(`${raw.action}: HTTP ${raw.status} with an answer that is not the API's (no RequestId: ${describeBody(raw)})`, {
            action: raw.action,
            errorClass: 'transient',
            httpStatus: raw.status,
            outcomeUnknown: true,
        });
    }
    if (!accepted2xx) {
        throw new AlibabaError(`${raw.action}: HTTP ${raw.status} without an error code`, {
            action: raw.action,
            errorClass: raw.status >= 500 || raw.status === 429 ? 'transient' : 'unknown',
            httpStatus: raw.status,
            // Without a Code nothing says the call was refused (a JSON 500 from a gateway, say).
            outcomeUnknown: mayHideAcceptance(raw.status),
        });
    }
    return fields;
}
/**
 * Whether an answer without an API error Code may stand in front of a call the CDN accepted: always,
 * but for a proxy's 407, which says the proxy forwarded nothing until it is given its credentials.
 */
function mayHideAcceptance(status) {
    return status !== 407;
}
/** A string field of an answer; Alibaba sends numbers as strings in some answers and not in others. */
function stringField(fields, name) {
    const value = fields[name];
    if (typeof value === 'string')
        return value;
    if (typeof value === 'number' || typeof value === 'boolean')
        return String(value);
    return undefined;
}
function parseRetryAfter(header) {
    if (header === null)
        return undefined;
    const ms = Number(header.trim());
    return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}
function parseJson(text) {
    try {
        const value = JSON.parse(text);
        return typeof value === 'object' && value !== null && !Array.isArray(value)
            ? value
            : undefined;
    }
    catch {
        return undefined;
    }
}
/**
 * The API's XML answers are one root with flat children (`<Error><Code>…</Code>…</Error>`); only
 * those direct children are read. An HTML page, or any XML that is not well formed, is not an answer.
 */
function parseXml(text) {
    if (/^<(!doctype\s+)?html/i.test(text))
        return undefined;
    const fields = {};
    const parser = new saxes/* SaxesParser */.wT({ xmlns: false });
    let depth = 0;
    let current;
    let buffer = '';
    let isHtml = false;
    parser.on('opentag', (tag) => {
        depth++;
        if (depth === 1 && tag.name.toLowerCase() === 'html')
            isHtml = true;
        if (depth === 2) {
            current = tag.name;
            buffer = '';
        }
    });
    parser.on('text', (value) => {
        if (depth === 2)
            buffer += value;
    });
    parser.on('cdata', (value) => {
        if (depth === 2)
            buffer += value;
    });
    parser.on('closetag', () => {
        if (depth === 2 && current !== undefined)
            fields[current] = buffer.trim();
        depth--;
    });
    try {
        parser.write(text).close();
    }
    catch {
        return undefined;
    }
    return isHtml ? undefined : fields;
}
/**
 * A signature refusal quotes the server's string to sign (`… server string to sign is:POST&%2F&…`),
 * which repeats every parameter of the request, the STS token included (percent-encoded twice). The
 * quote is cut off: the code says what went wrong, and the request is ours to know already.
 */
function withoutStringToSign(message) {
    const at = message.search(/(server\s*)?string\s*to\s*sign/i);
    if (at === -1)
        return message;
    const kept = message.slice(0, at).trimEnd();
    return `${kept}${kept === '' ? '' : ' '}(the server's string to sign is left out: it repeats the request)`;
}
function describeBody(raw) {
    const type = raw.contentType.split(';')[0]?.trim() || 'no content type';
    const snippet = raw.body.replace(/\s+/g, ' ').trim().slice(0, 60);
    return `${type}: "${snippet}${raw.body.length > 60 ? '…' : ''}"`;
}

;// CONCATENATED MODULE: ./src/alibaba/signer.ts
/**
 * Alibaba Cloud request signing, both algorithms the CDN API accepts. Pure functions of their inputs
 * (time and nonce are passed in), so they can be checked against Alibaba's worked examples and SDK.
 */

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** RFC 3986 percent-encoding, as both signature versions require (space is %20, `*` is %2A). */
function percentEncode(value) {
    return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
/** `yyyy-MM-ddTHH:mm:ssZ`, the only timestamp form Alibaba accepts. */
function isoSeconds(date) {
    return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
/** Sorted `name=value` pairs, each RFC 3986 encoded, joined by `&`. */
function canonicalQuery(params) {
    return Object.keys(params)
        .sort()
        .map((name) => `${percentEncode(name)}=${percentEncode(params[name] ?? '')}`)
        .join('&');
}
function formBody(form) {
    if (form === undefined || Object.keys(form).length === 0)
        return '';
    return canonicalQuery(form);
}
function hostOf(endpoint) {
    return endpoint.host;
}
function withQuery(endpoint, query) {
    return `${endpoint.protocol}//${endpoint.host}/${query === '' ? '' : `?${query}`}`;
}
/** ACS3-HMAC-SHA256 ("V3"), Alibaba's recommended algorithm and the SDK's default. */
function signV3(input) {
    const body = formBody(input.form);
    const headers = {
        host: hostOf(input.endpoint),
        'x-acs-action': input.action,
        'x-acs-version': input.version,
        'x-acs-date': isoSeconds(input.date),
        'x-acs-signature-nonce': input.nonce,
        'x-acs-content-sha256': body === '' ? EMPTY_SHA256 : sha256Hex(body),
    };
    if (body !== '')
        headers['content-type'] = 'application/x-www-form-urlencoded';
    if (input.credentials.securityToken)
        headers['x-acs-security-token'] = input.credentials.securityToken;
    const query = canonicalQuery(input.query);
    const signedNames = Object.keys(headers).sort();
    const canonicalRequest = [
        'POST',
        '/',
        query,
        signedNames.map((name) => `${name}:${(headers[name] ?? '').trim()}\n`).join(''),
        signedNames.join(';'),
        headers['x-acs-content-sha256'],
    ].join('\n');
    const stringToSign = `ACS3-HMAC-SHA256\n${sha256Hex(canonicalRequest)}`;
    const signature = (0,external_node_crypto_namespaceObject.createHmac)('sha256', input.credentials.accessKeySecret)
        .update(stringToSign)
        .digest('hex');
    headers['authorization'] =
        `ACS3-HMAC-SHA256 Credential=${input.credentials.accessKeyId},` +
            `SignedHeaders=${signedNames.join(';')},Signature=${signature}`;
    return { method: 'POST', url: withQuery(input.endpoint, query), headers, body };
}
/**
 * HMAC-SHA1 with SignatureVersion 1.0 ("V1" here, "V2" on Alibaba's newer pages). Every parameter
 * travels in the form body, so nothing but the host and path shows in proxy or server access logs.
 */
function signV1(input) {
    const params = {
        ...input.query,
        ...input.form,
        Action: input.action,
        Version: input.version,
        Format: 'JSON',
        AccessKeyId: input.credentials.accessKeyId,
        SignatureMethod: 'HMAC-SHA1',
        SignatureVersion: '1.0',
        SignatureNonce: input.nonce,
        Timestamp: isoSeconds(input.date),
    };
    if (input.credentials.securityToken)
        params['SecurityToken'] = input.credentials.securityToken;
    params['Signature'] = rpcSignature('POST', params, input.credentials.accessKeySecret);
    return {
        method: 'POST',
        url: withQuery(input.endpoint, ''),
        headers: { host: hostOf(input.endpoint), 'content-type': 'application/x-www-form-urlencoded' },
        body: canonicalQuery(params),
    };
}
/** The V1 signature of a parameter set (every parameter but `Signature` itself). */
function rpcSignature(method, params, secret) {
    const { Signature: _ignored, ...signed } = params;
    const stringToSign = `${method}&${percentEncode('/')}&${percentEncode(canonicalQuery(signed))}`;
    return (0,external_node_crypto_namespaceObject.createHmac)('sha1', `${secret}&`).update(stringToSign).digest('base64');
}
function sha256Hex(text) {
    return (0,external_node_crypto_namespaceObject.createHash)('sha256').update(text, 'utf8').digest('hex');
}

// EXTERNAL MODULE: ./node_modules/node-fetch/lib/index.js
var lib = __nccwpck_require__(6705);
var lib_default = /*#__PURE__*/__nccwpck_require__.n(lib);
;// CONCATENATED MODULE: ./src/http/fetch.ts



const exchanges = new WeakMap();
/**
 * fetch with a timeout and a stop signal that cover the body too; failures become `NetworkError`
 * naming the origin only (node-fetch's messages quote the whole URL, signature and all). The proxy is
 * chosen per request URL from HTTPS_PROXY / HTTP_PROXY / NO_PROXY. The body must be read with
 * readText or readChunks, or let go with discard: either way its socket is closed or reused.
 */
async function httpFetch(url, init = {}) {
    const { timeoutMs = 30_000, signal, ...rest } = init;
    const exchange = { origin: originOf(url) };
    const controller = new AbortController();
    let response;
    let reading = false;
    const giveUp = (failure) => {
        exchange.failure ??= failure;
        // node-fetch aborts the request (closing its socket) and fails the body's readers.
        controller.abort();
        if (response)
            response.body.destroy(exchange.failure);
    };
    const timer = timeoutMs > 0
        ? setTimeout(() => giveUp(timedOut(exchange.origin, timeoutMs, reading)), timeoutMs)
        : undefined;
    const onStop = () => giveUp(stopped(exchange.origin, signal));
    const release = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onStop);
    };
    if (signal?.aborted)
        exchange.failure = stopped(exchange.origin, signal);
    else
        signal?.addEventListener('abort', onStop, { once: true });
    try {
        if (exchange.failure)
            throw exchange.failure;
        response = await lib_default()(url, {
            // node-fetch hands over a legacy url.parse() object; its href is the WHATWG-normalized URL.
            agent: (parsed) => proxyAgentFor(new URL(parsed.href)),
            ...rest,
            // node-fetch's AbortSignal type predates the DOM one; they are compatible at run time.
            signal: controller.signal,
        });
    }
    catch (error) {
        release();
        throw exchange.failure ?? requestFailure(exchange.origin, error);
    }
    reading = true;
    watchBody(response, controller, release);
    exchanges.set(response, exchange);
    if (response.status === 407) {
        // A forwarding proxy's answer (a CONNECT tunnel's 407 is an error of the agent already).
        const setting = proxySettingFor(new URL(url));
        if (setting !== undefined) {
            discard(response);
            const cause = new ProxyError(proxyAuthMessage(setting.variable, setting.proxy), PROXY_AUTH_REQUIRED);
            throw new NetworkError(`${exchange.origin}: ${cause.message}`, exchange.origin, false, cause);
        }
    }
    return response;
}
/** The body as text; a body that breaks off, times out or is stopped throws NetworkError. */
async function readText(response) {
    try {
        return await response.text();
    }
    catch (error) {
        throw bodyFailure(response, error);
    }
}
/** The body as chunks; leaving the loop early (a cap, an error) closes the connection. */
async function* readChunks(response) {
    const body = response.body;
    try {
        for await (const chunk of body)
            yield chunk;
    }
    catch (error) {
        throw bodyFailure(response, error);
    }
    finally {
        body.destroy();
    }
}
/** Lets go of a response whose body will not be read: its connection is closed. */
function discard(response) {
    response.body.destroy();
}
/**
 * Keeps the request answerable to its timeout and stop signal until the body is done, and aborts the
 * request (closing its socket) when the body ends any way but at its end.
 */
function watchBody(response, controller, release) {
    const body = response.body;
    let complete = false;
    // node-fetch emits its own AbortError on the body when the request is aborted, read or not.
    body.on('error', () => undefined);
    body.once('end', () => {
        complete = true;
    });
    body.once('close', () => {
        release();
        if (!complete)
            controller.abort();
    });
}
function bodyFailure(response, error) {
    const exchange = exchanges.get(response);
    if (exchange?.failure)
        return exchange.failure;
    if (error instanceof NetworkError)
        return error;
    const origin = exchange?.origin ?? originOf(response.url);
    return new NetworkError(`${origin}: the answer broke off (${describeCause(error)})`, origin, false, error);
}
function requestFailure(origin, error) {
    return new NetworkError(`${origin}: ${describeCause(error)}`, origin, false, error);
}
function timedOut(origin, timeoutMs, reading) {
    const what = `timed out after ${timeoutMs / 1000} s${reading ? ' while reading the answer' : ''}`;
    return new NetworkError(`${origin}: ${what}`, origin, true);
}
function stopped(origin, signal) {
    const reason = signal?.reason instanceof Error ? ` (${signal.reason.message})` : '';
    return new NetworkError(`${origin}: given up, the run is stopping${reason}`, origin, false);
}
/** node-fetch's wording around a system error's message, which quotes the whole URL. */
const NODE_FETCH_WRAPPING = /^(request to \S+ failed, reason: |Invalid response body while trying to fetch \S+: )/;
/**
 * What went wrong, without the URL: node-fetch's messages quote it whole (`request to https://…?…
 * failed, reason: …`), query, signature and ObjectPaths included. The system's code comes first.
 */
function describeCause(error) {
    if (!(error instanceof Error))
        return String(error);
    const message = withoutUrls(error.message.replace(NODE_FETCH_WRAPPING, ''));
    const code = systemErrorCode(error);
    // A proxy's refusal says it in words; its code is for the caller.
    if (code === undefined || code === PROXY_AUTH_REQUIRED || code === PROXY_TUNNEL_FAILED)
        return message;
    return `${code} (${message})`;
}
/** Every http(s) URL in a message, cut down to its origin. */
function withoutUrls(message) {
    return message.replace(/https?:\/\/[^\s"'<>]+/g, (url) => originOf(url));
}
function originOf(url) {
    try {
        return new URL(url).origin;
    }
    catch {
        return '(an invalid URL)';
    }
}

;// CONCATENATED MODULE: ./src/alibaba/client.ts
/**
 * One signed RPC call to the CDN API: sign afresh, send, read the answer, classify failures.
 * Retrying is the caller's business (src/submit/retry.ts); this module makes exactly one attempt.
 */







const CDN_API_VERSION = '2018-05-10';
class AlibabaClient {
    options;
    endpoint;
    constructor(options) {
        this.options = options;
        this.endpoint = new URL(options.endpoint);
    }
    /** Makes one attempt at `action`; throws AlibabaError on any failure. */
    async call(action, query, form) {
        const slot = await this.admit(action);
        try {
            // Asked and signed after the gate opens: a call that waited for a slot still carries a fresh
            // time and nonce, and credentials renewed while it waited.
            const credentials = await this.options.credentials();
            const input = {
                endpoint: this.endpoint,
                action,
                version: CDN_API_VERSION,
                query,
                ...(form ? { form } : {}),
                credentials,
                date: this.options.now?.() ?? new Date(),
                nonce: (0,external_node_crypto_namespaceObject.randomUUID)(),
            };
            const request = this.options.signatureVersion === 'v1' ? signV1(input) : signV3(input);
            const { clock, ...raw } = await this.send(action, request);
            const fields = parseAnswer({ action, ...raw });
            return {
                fields,
                requestId: typeof fields['RequestId'] === 'string' ? fields['RequestId'] : undefined,
                ...(clock ? { clock } : {}),
            };
        }
        finally {
            slot?.release();
        }
    }
    /** Calls that went out (past the gate), by action: what the account's rate and logs see. */
    sentCalls() {
        return Object.fromEntries(this.sent);
    }
    sent = new Map();
    async admit(action) {
        const stopSending = this.options.stopSending;
        const notSent = () => new AlibabaError(`${action}: not sent, the run is stopping`, { action, errorClass: 'transient' });
        if (stopSending?.aborted)
            throw notSent();
        try {
            const slot = await this.options.gate?.acquire(action, stopSending);
            this.sent.set(action, (this.sent.get(action) ?? 0) + 1);
            return slot;
        }
        catch (error) {
            if (stopSending?.aborted)
                throw notSent();
            throw error;
        }
    }
    async send(action, request) {
        try {
            // httpFetch's timeout covers reading the answer too.
            const response = await httpFetch(request.url, {
                method: 'POST',
                headers: request.headers,
                ...(request.body === '' ? {} : { body: request.body }),
                timeoutMs: this.options.timeoutMs,
                ...(this.options.signal ? { signal: this.options.signal } : {}),
            });
            const receivedMs = Date.now();
            const serverMs = Date.parse(response.headers.get('date') ?? '');
            return {
                status: response.status,
                contentType: response.headers.get('content-type') ?? '',
                body: await readText(response),
                retryAfterHeader: response.headers.get('x-acs-retry-after'),
                clock: Number.isNaN(serverMs) ? undefined : { serverMs, receivedMs },
            };
        }
        catch (error) {
            if (error instanceof AlibabaError)
                throw error;
            throw callFailure(action, error);
        }
    }
}
/**
 * A call that got no answer, classified by the error's code (never its text): a proxy that wants
 * credentials stops the run; a failure before sending is simply retried; anything else may have
 * reached the CDN and been accepted.
 */
function callFailure(action, error) {
    const code = error instanceof NetworkError ? error.code : undefined;
    const message = `${action}: ${errorMessage(error)}`;
    if (code === PROXY_AUTH_REQUIRED) {
        return new AlibabaError(message, {
            action,
            errorClass: 'credentials',
            advice: 'Nothing can go through the proxy until it accepts the credentials.',
        });
    }
    return new AlibabaError(message, {
        action,
        errorClass: 'transient',
        outcomeUnknown: !sentNothing(code),
    });
}

;// CONCATENATED MODULE: ./src/credentials/sts-oidc.ts
/**
 * STS AssumeRoleWithOIDC: the job's GitHub ID token in, short-lived credentials out. The call is
 * anonymous (the token is the credential), so it is a plain form POST, not a signed RPC call.
 */





const STS_API_VERSION = '2015-04-01';
const ACTION = 'AssumeRoleWithOIDC';
/** The GitHub Actions issuer, which the RAM OIDC provider and the role's trust policy must name. */
const GITHUB_OIDC_ISSUER = 'https://token.actions.githubusercontent.com';
/**
 * One AssumeRoleWithOIDC call. Throws AlibabaError: retryable classes for throttling, 5xx and network
 * failures; class `credentials` with advice for a refusal (nothing will work until the setup is fixed).
 */
async function assumeRoleWithOidc(config, idToken, options) {
    const query = canonicalQuery({
        Action: ACTION,
        Version: STS_API_VERSION,
        Format: 'JSON',
        Timestamp: isoSeconds(options.now?.() ?? new Date()),
    });
    const body = canonicalQuery({
        RoleArn: config.roleArn,
        OIDCProviderArn: config.oidcProviderArn,
        OIDCToken: idToken,
        RoleSessionName: config.roleSessionName,
        DurationSeconds: String(config.durationSeconds),
    });
    const fields = parseStsAnswer(config, idToken, await post(`${config.stsEndpoint}/?${query}`, body, options));
    const issued = fields['Credentials'];
    const record = typeof issued === 'object' && issued !== null ? issued : {};
    const accessKeyId = stringField(record, 'AccessKeyId') ?? '';
    const accessKeySecret = stringField(record, 'AccessKeySecret') ?? '';
    const securityToken = stringField(record, 'SecurityToken') ?? '';
    // Masked the moment they exist, before any line can be logged.
    for (const secret of [accessKeyId, accessKeySecret, securityToken])
        if (secret)
            options.mask(secret);
    if (!accessKeyId || !accessKeySecret || !securityToken) {
        throw new AlibabaError(`${ACTION}: the answer carries no Credentials`, {
            action: ACTION,
            errorClass: 'transient',
        });
    }
    const expiration = stringField(record, 'Expiration') ?? '';
    const expiresAt = Date.parse(expiration);
    return {
        credentials: { accessKeyId, accessKeySecret, securityToken },
        expiresAt: Number.isNaN(expiresAt) ? undefined : expiresAt,
        expiration,
    };
}
async function post(url, body, options) {
    try {
        // httpFetch's timeout covers reading the answer too.
        const response = await httpFetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
            body,
            timeoutMs: options.timeoutMs,
            ...(options.signal ? { signal: options.signal } : {}),
        });
        return {
            status: response.status,
            contentType: response.headers.get('content-type') ?? '',
            body: await readText(response),
            retryAfterHeader: response.headers.get('x-acs-retry-after'),
        };
    }
    catch (error) {
        const failure = callFailure(ACTION, error);
        // Nothing was sent to the CDN: whatever happened, no prefetch outcome is unknown.
        throw new AlibabaError(failure.message, { ...failure, outcomeUnknown: false });
    }
}
function parseStsAnswer(config, idToken, raw) {
    try {
        return parseAnswer({ action: ACTION, ...raw });
    }
    catch (error) {
        if (!(error instanceof AlibabaError))
            throw error;
        if (isRetryable(error.errorClass)) {
            // Nothing was sent to the CDN: whatever happened, no prefetch outcome is unknown.
            throw new AlibabaError(error.message, { ...error, outcomeUnknown: false });
        }
        throw new AlibabaError(`${error.message} (assuming ${config.roleArn})`, {
            action: ACTION,
            errorClass: 'credentials',
            code: error.code,
            httpStatus: error.httpStatus,
            requestId: error.requestId,
            advice: error.code === undefined
                ? `Check sts-endpoint (${config.stsEndpoint}): the answer was not one of STS's.`
                : stsRefusalAdvice(error.code, config, tokenClaims(idToken)),
        });
    }
}
/** The claims a trust policy's conditions test (not secret, unlike the token), as far as readable. */
function tokenClaims(idToken) {
    let payload = {};
    try {
        const parsed = JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8'));
        if (typeof parsed === 'object' && parsed !== null)
            payload = parsed;
    }
    catch {
        // Not a JWT we can read: the advice goes without the claims.
    }
    const claim = (name) => {
        const value = payload[name];
        if (typeof value === 'string')
            return value;
        return Array.isArray(value) ? value.join(',') : undefined;
    };
    return { iss: claim('iss'), aud: claim('aud'), sub: claim('sub') };
}
/** The usual cause of an STS refusal, in terms of what to change in RAM or in the inputs. */
function stsRefusalAdvice(code, config, claims = {}) {
    const trust = `the RAM role's trust policy must allow the principal ${config.oidcProviderArn} (Federated) to ` +
        `sts:AssumeRole with conditions this job's token meets: oidc:iss "${GITHUB_OIDC_ISSUER}", ` +
        `oidc:aud "${config.audience}", oidc:sub "repo:<owner>/<repo>:…" (see "OIDC" in the README)`;
    const clientId = `the OIDC provider's client ID list must contain the audience "${config.audience}" ` +
        '(the audience input; the token is issued for it)';
    const fingerprint = `the OIDC provider's issuer URL must be exactly ${GITHUB_OIDC_ISSUER} and its fingerprint must match ` +
        "that site's current certificate (update it in the RAM console)";
    const token = ['iss', 'aud', 'sub']
        .filter((name) => claims[name] !== undefined)
        .map((name) => `oidc:${name} "${claims[name]}"`)
        .join(', ');
    const tokenSays = token === '' ? '' : ` This job's token has ${token}.`;
    if (/AudienceNotMatch|ClientId/i.test(code))
        return `Check that ${clientId}.${tokenSays}`;
    if (/Fingerprint|HttpsUrlInvalid|InvalidSignature|Issuer/i.test(code))
        return `Check that ${fingerprint}.`;
    if (/NoPermission/i.test(code)) {
        return `Check that ${trust}, and that oidc-provider-arn names a provider that exists.${tokenSays}`;
    }
    if (/OIDCToken\.Expired/i.test(code)) {
        return "The GitHub ID token had expired when STS checked it: check the runner's clock.";
    }
    if (/EntityNotExist\.Role|InvalidParameter\.RoleArn/i.test(code)) {
        return 'Check role-arn: the account ID and role name must name an existing RAM role.';
    }
    if (/OIDCProvider/i.test(code)) {
        return 'Check oidc-provider-arn: it must name an OIDC provider of the same account.';
    }
    if (/RoleSessionName/i.test(code))
        return 'Check role-session-name: 2 to 64 characters of letters, digits, . @ _ -.';
    if (/DurationSeconds/i.test(code)) {
        return "Lower role-duration-seconds, or raise the role's maximum session duration in the RAM console.";
    }
    return `Usually: ${trust}; ${clientId}; ${fingerprint}.${tokenSays}`;
}

;// CONCATENATED MODULE: ./src/credentials/oidc-source.ts
/**
 * Credentials from a RAM role assumed with the job's GitHub OIDC token, renewed during the run: a few
 * minutes before the Expiration STS gave, and — once per call — when the API refuses them as expired.
 * Renewals are single-flight: calls that need new credentials at the same moment share one exchange.
 */



/** How long before Expiration the credentials are renewed (at most half their lifetime). */
const RENEW_BEFORE_MS = 5 * 60_000;
/** After a failed early renewal, the still-valid credentials are used this long before trying again. */
const RENEW_RETRY_MS = 30_000;
class OidcCredentialSource {
    config;
    identity;
    options;
    expiredAdvice = "Credentials just assumed from role-arn were refused as expired: check the runner's clock, which " +
        'STS and the CDN API compare with theirs.';
    held;
    renewing;
    count = 0;
    now;
    constructor(config, identity, options) {
        this.config = config;
        this.identity = identity;
        this.options = options;
        this.now = options.now ?? Date.now;
    }
    get generation() {
        return this.count;
    }
    /** The first exchange, with retries for what is transient; a refusal throws with advice. */
    async start() {
        await withRetries(() => this.renew('start'), this.options.retryPolicy, {
            ...(this.options.signal ? { signal: this.options.signal } : {}),
            onRetry: (error, delayMs) => this.options.logger.info(`  ${error.message}; retry in ${(delayMs / 1000).toFixed(1)} s`),
        });
    }
    async get() {
        const held = this.held ?? (await this.renew('start'));
        if (this.now() < held.renewAt)
            return held.credentials;
        try {
            return (await this.renew('expiring')).credentials;
        }
        catch (error) {
            if (held.expiresAt === undefined || this.now() >= held.expiresAt)
                throw error;
            // Still valid: keep using them, and try again a little later (calls that shared the failed
            // renewal report it once).
            if (held.renewAt <= this.now()) {
                held.renewAt = Math.min(this.now() + RENEW_RETRY_MS, held.expiresAt);
                this.options.logger.warning(`Could not renew the role's credentials ahead of their expiry (${errorMessage(error)}); ` +
                    'using the current ones while they last.');
            }
            return held.credentials;
        }
    }
    async renewAfterExpiry(generation) {
        if (generation === this.count)
            await this.renew('refused as expired');
        return true;
    }
    renew(reason) {
        this.renewing ??= this.exchange(reason).finally(() => {
            this.renewing = undefined;
        });
        return this.renewing;
    }
    async exchange(reason) {
        const { config, identity, options } = this;
        let idToken;
        try {
            idToken = await untilStopped(identity.getIdToken(config.audience), options.signal);
        }
        catch (error) {
            if (options.signal?.aborted) {
                throw new AlibabaError('GitHub ID token: not received, the run is stopping', {
                    action: 'AssumeRoleWithOIDC',
                    errorClass: 'transient',
                });
            }
            // @actions/core has already retried what is worth retrying.
            throw new AlibabaError(`GitHub ID token: ${errorMessage(error).replace(/\s+/g, ' ').trim()}`, {
                action: 'AssumeRoleWithOIDC',
                errorClass: 'credentials',
                advice: "GitHub's ID-token service (ACTIONS_ID_TOKEN_REQUEST_URL) did not give a token: check the network " +
                    'path to it (HTTPS_PROXY, NO_PROXY) and that the job has permissions: id-token: write.',
            });
        }
        identity.mask(idToken);
        const assumed = await assumeRoleWithOidc(config, idToken, {
            mask: (secret) => identity.mask(secret),
            timeoutMs: options.timeoutMs,
            signal: options.signal,
        });
        const held = this.hold(assumed);
        this.count++;
        const expiry = assumed.expiration ? `; they expire at ${assumed.expiration}` : '';
        options.logger.info(reason === 'start'
            ? `Assumed ${config.roleArn} as ${config.roleSessionName} with the job's OIDC token (audience ` +
                `${config.audience}): short-lived credentials${expiry}.`
            : `Assumed ${config.roleArn} again (the credentials were ${reason}): new credentials${expiry}.`);
        return held;
    }
    hold(assumed) {
        const obtainedAt = this.now();
        const { expiresAt } = assumed;
        let renewAt = Infinity;
        if (expiresAt !== undefined && expiresAt > obtainedAt) {
            renewAt = expiresAt - Math.min(RENEW_BEFORE_MS, (expiresAt - obtainedAt) / 2);
        }
        else if (expiresAt !== undefined) {
            // Expired on arrival by this runner's clock: the clock is off. Renewing early would loop; the
            // API's own verdict (InvalidSecurityToken.Expired) decides instead.
            this.options.logger.warning(`The role's credentials expire at ${assumed.expiration}, already past by this runner's clock; ` +
                "check the runner's time synchronization.");
        }
        this.held = { credentials: assumed.credentials, expiresAt, renewAt };
        return this.held;
    }
}
/** `promise`, or a rejection as soon as `signal` aborts (the ID-token request is @actions/core's). */
function untilStopped(promise, signal) {
    if (signal === undefined)
        return promise;
    return new Promise((resolve, reject) => {
        const onAbort = () => reject(signal.reason);
        if (signal.aborted)
            return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
}

;// CONCATENATED MODULE: ./src/credentials/provider.ts
/** AccessKeys given to the run: they are what they are, and an expired STS token stops the run. */
class StaticCredentials {
    credentials;
    generation = 0;
    constructor(credentials) {
        this.credentials = credentials;
    }
    get() {
        return Promise.resolve(this.credentials);
    }
    renewAfterExpiry() {
        return Promise.resolve(false);
    }
}

;// CONCATENATED MODULE: ./src/credentials/open.ts



/** The lines a workflow needs so that its jobs may request an OIDC token. */
const ID_TOKEN_PERMISSIONS = 'permissions:\n  id-token: write\n  contents: read';
const MISSING_ID_TOKEN = 'role-arn is set, but this job cannot ask GitHub for an OIDC token: ACTIONS_ID_TOKEN_REQUEST_URL and ' +
    'ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set. Add these lines to the job (or at the top of the workflow):\n' +
    `${ID_TOKEN_PERMISSIONS}\n` +
    '(contents: read keeps actions/checkout working once permissions are listed. Pull requests from forks ' +
    'never get an ID token.)';
/** The run's credential source, or undefined in a dry run that has none. */
async function openCredentials(config, options) {
    if (config.oidc)
        return openOidc(config.oidc, config, options);
    return config.credentials ? new StaticCredentials(config.credentials) : undefined;
}
async function openOidc(oidc, config, options) {
    if (!oidc.idTokenRequestAvailable) {
        if (config.dryRun) {
            options.logger.warning(`${MISSING_ID_TOKEN}\nThis dry run goes on without credentials.`);
            return undefined;
        }
        throw new ConfigError(MISSING_ID_TOKEN);
    }
    if (!options.identity) {
        throw new ConfigError('role-arn: a GitHub OIDC token can only be requested inside a GitHub Actions job.');
    }
    const source = new OidcCredentialSource(oidc, options.identity, {
        logger: options.logger,
        retryPolicy: options.retryPolicy,
        timeoutMs: config.requestTimeoutMs,
        signal: options.signal,
    });
    await source.start();
    return source;
}

;// CONCATENATED MODULE: ./src/credentials/renewing-client.ts
/**
 * The CDN client over a credential source: credentials are asked for every attempt, and a call refused
 * with InvalidSecurityToken.Expired is sent once more with renewed credentials — once, never in a loop.
 */


const EXPIRED = 'InvalidSecurityToken.Expired';
class RenewingClient extends AlibabaClient {
    source;
    logger;
    constructor(options, source, logger) {
        super({ ...options, credentials: () => source.get() });
        this.source = source;
        this.logger = logger;
    }
    async call(action, query, form) {
        const generation = this.source.generation;
        try {
            return await super.call(action, query, form);
        }
        catch (error) {
            if (!(error instanceof AlibabaError) || error.code !== EXPIRED)
                throw error;
            if (!(await this.source.renewAfterExpiry(generation)))
                throw error;
        }
        // The refused call changed nothing, so sending it again cannot submit anything twice.
        this.logger.info(`  ${action}: the credentials were refused as expired; sending it again with renewed ones`);
        try {
            return await super.call(action, query, form);
        }
        catch (error) {
            if (!(error instanceof AlibabaError) || error.code !== EXPIRED)
                throw error;
            throw new AlibabaError(`${error.message} (again, with credentials renewed just now)`, {
                ...error,
                advice: this.source.expiredAdvice ?? error.advice,
            });
        }
    }
}

;// CONCATENATED MODULE: ./src/follow/allot.ts
/**
 * The quota (`slots`; undefined: no cap) allotted over `items` in the order given (the plan's): each
 * ready or waiting item takes a slot while slots remain; a held one takes none. After the refresh
 * wait, the slots of the waiting items whose refresh did not complete are allotted again, the same way,
 * over what is left.
 */
function allot(items, readiness, slots) {
    const result = { ready: [], waiting: [], left: [] };
    let free = slots === undefined ? Infinity : Math.max(0, slots);
    for (const item of items) {
        const where = readiness(item);
        if (where === 'held' || free === 0) {
            result.left.push(item);
            continue;
        }
        result[where].push(item);
        free--;
    }
    return result;
}
/** The first allotment, before the refresh wait; without `sent` (a dry run) every URL is ready. */
function allotBeforeRefresh(candidates, needs, sent, quota) {
    const ordered = [...candidates].sort((a, b) => a.order - b.order);
    return allot(ordered, (item) => {
        if (!needs.get(item.url)?.needed || sent === undefined)
            return 'ready';
        return sent.accepted.has(item.url) ? 'waiting' : 'held';
    }, quota);
}
/**
 * After the refresh wait: the slots kept for refreshed URLs go, in plan order, to those whose refresh
 * is Complete, then to the next URLs that may be prefetched. A URL whose refresh was refused, failed,
 * or (when the refreshes were `awaited`) did not complete is held back; one whose accepted refresh was
 * not awaited (no slot waited for it) is simply beyond the quota. Once the run has `halted` (stopped,
 * or every prefetch refused for good), a refresh cut short is no reason to hold a URL back: it goes on
 * to the submission, which reports it not sent and why (and the state carries it so).
 */
function allotAfterRefresh(first, needs, sent, refreshed, run) {
    const pending = [...first.waiting, ...first.left].sort((a, b) => a.order - b.order);
    if (sent === undefined)
        return { ready: [], heldBack: [], overQuota: pending };
    const refreshOf = (item) => refreshed?.urls.get(item.url);
    const needed = (item) => needs.get(item.url)?.needed === true;
    const complete = (item) => refreshOf(item)?.refreshStatus === 'Complete';
    const cut = new Set(run.halted ? pending.filter((item) => needed(item) && cutByStop(refreshOf(item))) : []);
    const second = allot(pending.filter((item) => !cut.has(item)), (item) => (!needed(item) || complete(item) ? 'ready' : 'held'), first.waiting.filter((item) => !cut.has(item)).length);
    const held = (item) => needed(item) && !complete(item) && (run.awaited || !stillRunning(refreshOf(item)));
    return {
        ready: [...cut, ...second.ready].sort((a, b) => a.order - b.order),
        heldBack: second.left.filter(held),
        overQuota: second.left.filter((item) => !held(item)),
    };
}
/** An accepted refresh not known to have finished. */
function stillRunning(refresh) {
    return refresh?.refreshStatus === 'Pending' || refresh?.refreshStatus === 'Refreshing';
}
/** A refresh still running, or never sent, because the run stopped. */
function cutByStop(refresh) {
    if (refresh === undefined)
        return false;
    if (stillRunning(refresh))
        return true;
    const { notRefreshed } = refresh;
    return notRefreshed === 'deadline' || notRefreshed === 'cancelled' || notRefreshed === 'stopped';
}

;// CONCATENATED MODULE: ./src/follow/fresh.ts
/**
 * Each candidate's need, by URL; empty with `refresh: false`. `changes` (by order) says why the sitemap
 * diff or site-dir selected an entry; list entries have none.
 */
function refreshNeeds(candidates, changes, mode) {
    const needs = new Map();
    if (mode === 'none')
        return needs;
    for (const candidate of candidates)
        needs.set(candidate.url, needOf(changes.get(candidate.order), mode));
    return needs;
}
const NEEDED = { needed: true };
function needOf(entry, mode) {
    if (entry === undefined) {
        return mode === 'all'
            ? NEEDED
            : {
                needed: false,
                kind: 'list',
                why: 'a urls / urls-file entry: refresh: changed refreshes only what changed in place (refresh: true refreshes it)',
            };
    }
    if (entry.change === 'carried') {
        if (entry.refreshedAt !== undefined) {
            return {
                needed: false,
                kind: 'refreshed',
                why: `refreshed by an earlier run (${entry.refreshedAt})`,
                refreshedAt: entry.refreshedAt,
            };
        }
        return changeNeed(entry.firstChange ?? 'modified', mode, ' (carried)');
    }
    return changeNeed(entry.change, mode, '');
}
function changeNeed(change, mode, carried) {
    if (change === 'modified' || mode === 'all')
        return NEEDED;
    if (change === 'added') {
        return { needed: false, kind: 'added', why: `added${carried}: the CDN holds no earlier copy to replace` };
    }
    return { needed: false, kind: 'unchanged', why: `unchanged${carried}: the CDN's copy is current` };
}

;// CONCATENATED MODULE: ./src/alibaba/operations.ts
/** The CDN API operations cdn-prefetch uses, typed, over one-attempt calls. */

async function pushObjectCache(client, urls, push) {
    const query = { ObjectPath: urls.join('\n') };
    if (push.area !== undefined)
        query['Area'] = push.area;
    if (push.l2Preload !== undefined)
        query['L2Preload'] = String(push.l2Preload);
    if (push.withHeader !== undefined)
        query['WithHeader'] = push.withHeader;
    if (push.queryHashkey !== undefined)
        query['QueryHashkey'] = String(push.queryHashkey);
    const { fields, requestId } = await client.call('PushObjectCache', query);
    return { taskId: stringField(fields, 'PushTaskId')?.trim() ?? '', requestId };
}
/**
 * DescribeRefreshQuota; every value arrives as a string. A value that is not a whole number ≥ 0
 * (missing, empty, negative, fractional, `Infinity`, text) is returned as unreadable, never guessed
 * at: the caller decides what an unreadable quota means.
 */
async function describeRefreshQuota(client) {
    const { fields } = await client.call('DescribeRefreshQuota', {});
    const count = (name) => quotaCount(fields[name]);
    return {
        preloadRemain: count('PreloadRemain'),
        preloadQuota: count('PreloadQuota'),
        urlRemain: count('UrlRemain'),
        urlQuota: count('UrlQuota'),
    };
}
/** Reads one quota value: digits only (as a string or a JSON number), at most 2^53 − 1. */
function quotaCount(value) {
    const text = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : undefined;
    if (text !== undefined && /^\d+$/.test(text) && Number.isSafeInteger(Number(text))) {
        return { value: Number(text) };
    }
    return { value: undefined, answered: text === undefined ? 'nothing' : JSON.stringify(text) };
}
/** The most URLs and distinct domains one RefreshObjectCaches call may carry. */
const REFRESH_LIMITS = { maxUrls: 1000, maxDomains: 10 };
/** RefreshObjectCaches of files (`ObjectType=File`); ObjectPath and ObjectType go in the form body, as the SDK sends them. */
async function refreshObjectCaches(client, urls) {
    const { fields, requestId } = await client.call('RefreshObjectCaches', {}, {
        ObjectPath: urls.join('\n'),
        ObjectType: 'File',
    });
    return { taskId: stringField(fields, 'RefreshTaskId')?.trim() ?? '', requestId };
}
/** The most task IDs one DescribeRefreshTaskById call may ask about. */
const MAX_TASK_IDS_PER_LOOKUP = 10;
/** DescribeRefreshTaskById: every task (one per URL) recorded under up to 10 task IDs. */
async function describeRefreshTaskById(client, taskIds) {
    if (taskIds.length === 0 || taskIds.length > MAX_TASK_IDS_PER_LOOKUP) {
        throw new Error(`DescribeRefreshTaskById takes 1 to ${MAX_TASK_IDS_PER_LOOKUP} task IDs, not ${taskIds.length}`);
    }
    const { fields } = await client.call('DescribeRefreshTaskById', { TaskId: taskIds.join(',') });
    return tasksOf(fields);
}
/** Splits a PushTaskId / RefreshTaskId into its IDs. */
function splitTaskIds(taskId) {
    return taskId
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id !== '');
}
/** DescribeRefreshTasks: one page of tasks matching the filters (note the `Tasks.CDNTask` wrapper). */
async function describeRefreshTasks(client, query) {
    const params = {};
    if (query.objectPath !== undefined)
        params['ObjectPath'] = query.objectPath;
    if (query.domainName !== undefined)
        params['DomainName'] = query.domainName;
    if (query.objectType !== undefined)
        params['ObjectType'] = query.objectType;
    if (query.startTime !== undefined)
        params['StartTime'] = query.startTime;
    if (query.endTime !== undefined)
        params['EndTime'] = query.endTime;
    if (query.pageNumber !== undefined)
        params['PageNumber'] = String(query.pageNumber);
    if (query.pageSize !== undefined)
        params['PageSize'] = String(query.pageSize);
    const { fields, clock } = await client.call('DescribeRefreshTasks', params);
    const tasks = tasksOf(fields);
    return {
        tasks,
        totalCount: Number(stringField(fields, 'TotalCount') ?? tasks.length) || 0,
        ...(clock ? { clock } : {}),
    };
}
/**
 * The task list of an answer: DescribeRefreshTaskById documents a flat `Tasks` array, DescribeRefreshTasks
 * wraps it as `Tasks.CDNTask`; either is accepted from either.
 */
function tasksOf(fields) {
    const wrapper = fields['Tasks'];
    const list = Array.isArray(wrapper)
        ? wrapper
        : typeof wrapper === 'object' && wrapper !== null
            ? wrapper['CDNTask']
            : undefined;
    return (Array.isArray(list) ? list : []).map(toTask).filter((t) => t !== undefined);
}
/** Reads one task entry; Alibaba's field names, our types. */
function toTask(value) {
    if (typeof value !== 'object' || value === null)
        return undefined;
    const fields = value;
    const taskId = stringField(fields, 'TaskId');
    const objectPath = stringField(fields, 'ObjectPath');
    if (taskId === undefined || objectPath === undefined)
        return undefined;
    const optional = (name) => stringField(fields, name);
    const process = optional('Process');
    const creationTime = optional('CreationTime');
    const description = optional('Description');
    return {
        taskId,
        objectPath,
        objectType: optional('ObjectType') ?? '',
        status: optional('Status') ?? '',
        ...(process !== undefined ? { process } : {}),
        ...(creationTime !== undefined ? { creationTime } : {}),
        ...(description !== undefined ? { description } : {}),
    };
}

;// CONCATENATED MODULE: ./src/urls/normalize.ts
/**
 * URL normalization: one canonical spelling per resource, so that duplicates are merged before they
 * cost quota, and so that what we send is what the CDN expects (UTF-8 percent-encoding, <= 1,024 chars).
 */
/** The longest URL the CDN accepts, counted after percent-encoding. */
const MAX_URL_LENGTH = 1024;
const SCHEME_WITH_SLASHES = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
const OTHER_SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):(?!\d)/;
// The API's own scheme-less form: `host/path` or `host:port/path`. A host needs a dot (or is
// localhost) so that a forgotten leading slash (`blog/post`) is reported instead of sent to host "blog".
const SCHEMELESS_HOST = /^(?:localhost|\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+)(?::\d{1,5})?(?:[/?#]|$)/;
// Already canonical: lower-case http(s) scheme and host, no default port, only unreserved, sub-delim
// and upper-case escapes in path and query, no fragment, no dot segments. Most sitemap URLs look like
// this, and skipping `new URL()` for them is what keeps a million-URL diff fast.
const CANONICAL = /^https?:\/\/(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z](?:[a-z0-9-]*[a-z0-9])?(?::[1-9]\d{0,4})?(?:\/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-F]{2})*)+(?:\?(?:[A-Za-z0-9\-._~!$&()*+,;=:@/?]|%[0-9A-F]{2})*)?$/;
// Dot segments, plain or percent-encoded: the URL parser resolves both.
const DOT_SEGMENT = /\/(?:\.|%2E){1,2}(?:[/?]|$)/i;
const DEFAULT_PORT = /^(?:http:\/\/[^/?]*:80|https:\/\/[^/?]*:443)(?:[/?]|$)/;
/**
 * Normalizes one URL entry. Accepts `http(s)://host/path`, scheme-less `host[:port]/path` (taken as
 * https) and `/path` (resolved against `baseUrl`). Never throws: a bad entry gets a reason a person
 * can act on.
 */
function normalizeUrl(raw, baseUrl) {
    const input = raw.trim();
    if (input === '')
        return { ok: false, reason: 'is empty' };
    if (isCanonical(input))
        return { ok: true, url: input, host: normalize_hostOf(input) };
    const unusable = unusableCharacters(input);
    if (unusable !== undefined)
        return { ok: false, reason: unusable };
    let absolute;
    const scheme = SCHEME_WITH_SLASHES.exec(input)?.[1]?.toLowerCase();
    if (scheme !== undefined) {
        if (scheme !== 'http' && scheme !== 'https')
            return { ok: false, reason: 'is not an http(s) URL' };
        if (input.charAt(scheme.length + 3) === '/' || input.length === scheme.length + 3) {
            return { ok: false, reason: 'has no host' };
        }
        absolute = input;
    }
    else if (input.startsWith('//')) {
        return { ok: false, reason: 'is protocol-relative: write https:// in front of it' };
    }
    else if (input.startsWith('/')) {
        if (baseUrl === undefined || baseUrl === '') {
            return { ok: false, reason: 'is a path: set base-url so that it can be resolved' };
        }
        absolute = baseUrl.replace(/\/+$/, '') + input;
    }
    else if (SCHEMELESS_HOST.test(input)) {
        absolute = `https://${input}`;
    }
    else if (OTHER_SCHEME.test(input)) {
        return { ok: false, reason: 'is not an http(s) URL' };
    }
    else {
        return { ok: false, reason: `has no host (a path must start with "/")` };
    }
    return canonicalize(absolute);
}
// Control characters: the URL parser deletes tabs and newlines silently (merging the entry with
// another) and encodes the rest, so that a URL nobody meant would be sent.
// eslint-disable-next-line no-control-regex -- finding them is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
// A `%` that does not start an escape; only the part before the fragment is sent.
const BAD_ESCAPE = /%(?![0-9A-Fa-f]{2})/;
/** Why `input` cannot be a URL as written, or undefined. */
function unusableCharacters(input) {
    const control = CONTROL.exec(input);
    if (control) {
        const name = control[0] === '\t' ? 'a tab' : `the control character ${visible(control[0])}`;
        return `contains ${name} at character ${control.index + 1}; a URL cannot hold control characters`;
    }
    const beforeFragment = input.split('#', 1)[0] ?? '';
    const escape = BAD_ESCAPE.exec(beforeFragment);
    if (escape) {
        const text = beforeFragment.slice(escape.index, escape.index + 3);
        return `has "${text}", which is not a percent-escape (% and two hex digits); write a literal % as %25`;
    }
    return undefined;
}
/** Control characters spelled out (\t, \0, \u001b), so that a message shows what the line holds. */
function visible(text) {
    return text.replace(new RegExp(CONTROL.source, 'g'), (c) => {
        if (c === '\t')
            return '\\t';
        if (c === '\0')
            return '\\0';
        return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    });
}
function isCanonical(url) {
    return (url.length <= MAX_URL_LENGTH &&
        CANONICAL.test(url) &&
        !DOT_SEGMENT.test(url) &&
        !DEFAULT_PORT.test(url) &&
        portInRange(url) &&
        // Punycode labels are validated by the URL parser; leave them to it.
        !url.includes('xn--'));
}
function portInRange(url) {
    const port = /^https?:\/\/[^/?]*:(\d+)/.exec(url)?.[1];
    return port === undefined || Number(port) <= 65535;
}
function normalize_hostOf(canonicalUrl) {
    const start = canonicalUrl.indexOf('//') + 2;
    let end = start;
    while (end < canonicalUrl.length) {
        const c = canonicalUrl.charCodeAt(end);
        if (c === 0x2f /* / */ || c === 0x3f /* ? */ || c === 0x3a /* : */)
            break;
        end++;
    }
    return canonicalUrl.slice(start, end);
}
function canonicalize(absolute) {
    let parsed;
    try {
        parsed = new URL(absolute);
    }
    catch {
        return { ok: false, reason: 'is not a valid URL' };
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
        return { ok: false, reason: 'is not an http(s) URL' };
    }
    if (parsed.hostname === '')
        return { ok: false, reason: 'has no host' };
    if (parsed.port === '0')
        return { ok: false, reason: 'has port 0, which no server listens on' };
    if (parsed.hostname.endsWith('.')) {
        const host = parsed.hostname.replace(/\.+$/, '');
        return { ok: false, reason: `has a host that ends in a dot (${parsed.hostname}); write ${host}` };
    }
    if (parsed.username !== '' || parsed.password !== '') {
        return { ok: false, reason: 'carries a user name or password; the CDN cannot prefetch it' };
    }
    parsed.hash = '';
    // WHATWG serialization already lower-cases scheme and host, drops default ports, and encodes raw
    // non-ASCII and spaces as UTF-8; it leaves existing escapes alone, so upper-case those here.
    const url = parsed.href.replace(/%[0-9a-fA-F]{2}/g, (escape) => escape.toUpperCase());
    if (url.length > MAX_URL_LENGTH) {
        return {
            ok: false,
            reason: `is ${url.length} characters once encoded; the CDN accepts at most ${MAX_URL_LENGTH}`,
        };
    }
    return { ok: true, url, host: parsed.hostname };
}

;// CONCATENATED MODULE: ./src/submit/confirm.ts





/** The shortest window, whatever `request-timeout` says. */
const MIN_WINDOW_MS = 5_000;
/**
 * The window is as long as `request-timeout` (at least 5 s): the time the run already allows the CDN
 * to act on a call and answer it is the time it allows a late call to show up.
 */
function lookupPolicy(requestTimeoutMs) {
    return { windowMs: Math.max(MIN_WINDOW_MS, requestTimeoutMs), firstPauseMs: 1_000 };
}
/** When each look-up starts, in ms after the failure: at once, then after pauses that double, the last at the window's end. */
function lookupTimes(policy) {
    const times = [0];
    const first = Math.max(1, policy.firstPauseMs);
    for (let pause = first, at = first; at < policy.windowMs; pause *= 2, at += pause)
        times.push(at);
    times.push(policy.windowMs);
    return times;
}
/**
 * Alibaba's machines agree on the time to well within this; the answer's Date and a task's
 * CreationTime may come from different ones.
 */
const SERVER_SLACK_MS = 1_000;
/** Without a Date header to measure it: how far the runner's clock is taken to be ahead of the CDN's at most. */
const ASSUMED_SKEW_MS = 5_000;
/** Signed calls are refused beyond this clock difference, so no task of ours can lie further out. */
const SIGNATURE_TOLERANCE_MS = 15 * 60_000;
/**
 * The earliest CreationTime a task of a call sent at `sentAt` (our clock) can carry. The answer's Date
 * header was stamped no later than the answer reached us, so the CDN's clock is at least
 * (Date − arrival) ahead of ours; by its clock, the call was sent no earlier than `sentAt` plus that.
 * CreationTime has second precision (truncated), hence the floor.
 */
function earliestCreation(sentAt, clock) {
    const bound = clock
        ? sentAt + (clock.serverMs - clock.receivedMs) - SERVER_SLACK_MS
        : sentAt - ASSUMED_SKEW_MS;
    return Math.floor(bound / 1000) * 1000;
}
/**
 * Looks the call up at each of `lookupTimes` until it is found. A call is accepted or refused as a
 * whole, so its first and last URLs decide it; only if they disagree is every URL looked up. The call
 * is `absent` only when the last look-up of the window answered and nothing of it was there.
 */
async function lookUpCall(client, call, options) {
    const failedAt = Date.now();
    const search = new CallSearch(client, call, {
        ...options.retryPolicy,
        maxElapsedMs: Math.min(options.retryPolicy.maxElapsedMs, options.policy.windowMs),
    });
    const times = lookupTimes(options.policy);
    const stopped = () => search.inDoubt('the run stopped before the look-ups were done');
    for (const [round, at] of times.entries()) {
        await sleep(failedAt + at - Date.now(), options.signal);
        if (options.signal?.aborted)
            return stopped();
        try {
            await search.round(options.signal);
        }
        catch (error) {
            if (!(error instanceof AlibabaError))
                throw error;
            if (options.signal?.aborted)
                return stopped();
            // A later look-up sees everything an earlier one would have, so only the last one must answer;
            // a refusal that no retry can change (no permission, a parameter refused) ends the search.
            if (round === times.length - 1 || !isRetryable(error.errorClass)) {
                return search.inDoubt(`the look-up failed (${error.message})`, error.code);
            }
            continue;
        }
        if (search.complete())
            return { kind: 'accepted', taskIds: search.taskIds() };
    }
    if (search.nothingFound())
        return { kind: 'absent' };
    return search.inDoubt(search.found.size > 0
        ? `the look-ups over ${options.policy.windowMs / 1000} s found ${search.found.size} of the call's ${call.urls.length} URLs accepted, but not this one`
        : 'a task for it was found whose creation time cannot be read');
}
/** What the look-ups of one call have seen so far. */
class CallSearch {
    client;
    call;
    retryPolicy;
    found = new Map();
    /** URLs with a task of the right type whose CreationTime cannot be read: ours, or an earlier run's. */
    undated = new Set();
    perUrl = false;
    endsFound = false;
    /** The call's URLs by host: a call gets one task ID per host (a refresh may carry several hosts). */
    byHost = new Map();
    constructor(client, call, retryPolicy) {
        this.client = client;
        this.call = call;
        this.retryPolicy = retryPolicy;
        for (const url of call.urls) {
            const list = this.byHost.get(confirm_hostOf(url));
            if (list)
                list.push(url);
            else
                this.byHost.set(confirm_hostOf(url), [url]);
        }
    }
    async round(signal) {
        const { urls } = this.call;
        if (!this.perUrl) {
            // The first and last URL of each host: they carry every task ID the call was given.
            const ends = [...this.byHost.values()].flatMap((list) => [
                ...new Set([list[0], list[list.length - 1]]),
            ]);
            const endUrls = ends.filter((u) => u !== undefined);
            for (const url of endUrls)
                if (!this.found.has(url))
                    await this.lookUp(url, signal);
            const seen = endUrls.filter((url) => this.found.has(url)).length;
            if (seen === endUrls.length) {
                this.endsFound = true;
                return;
            }
            if (seen === 0)
                return;
            // One end found, the other not: a call is accepted as a whole, so look at every URL.
            this.perUrl = true;
        }
        for (const url of urls)
            if (!this.found.has(url))
                await this.lookUp(url, signal);
    }
    complete() {
        return this.endsFound || this.found.size === this.call.urls.length;
    }
    nothingFound() {
        return this.found.size === 0 && this.undated.size === 0;
    }
    /** URL → task ID; when the ends decided, the others get the IDs their host's ends were found under. */
    taskIds() {
        const ids = new Map();
        for (const list of this.byHost.values()) {
            const hostIds = [...new Set(list.flatMap((url) => this.found.get(url) ?? []))].join(',');
            for (const url of list)
                ids.set(url, this.found.get(url) ?? hostIds);
        }
        return ids;
    }
    inDoubt(why, code) {
        return { kind: 'in-doubt', found: this.found, why, ...(code !== undefined ? { code } : {}) };
    }
    async lookUp(url, signal) {
        const { objectType, sentAt } = this.call;
        const answer = await withRetries(() => describeRefreshTasks(this.client, {
            objectPath: url,
            objectType,
            // Wide on purpose: the tasks are dated by the CDN's clock below, not by this filter.
            startTime: isoSeconds(new Date(sentAt - SIGNATURE_TOLERANCE_MS)),
            endTime: isoSeconds(new Date(Date.now() + SIGNATURE_TOLERANCE_MS)),
            pageSize: 100,
        }), this.retryPolicy, signal ? { signal } : {});
        const earliest = earliestCreation(sentAt, answer.clock);
        for (const task of answer.tasks) {
            const normalized = normalizeUrl(task.objectPath);
            if (!normalized.ok || normalized.url !== url || task.objectType.toLowerCase() !== objectType)
                continue;
            const created = Date.parse(task.creationTime ?? '');
            if (Number.isNaN(created)) {
                this.undated.add(url);
            }
            else if (created >= earliest) {
                this.found.set(url, task.taskId);
                this.undated.delete(url);
                return;
            }
        }
    }
}
function confirm_hostOf(url) {
    try {
        return new URL(url).host;
    }
    catch {
        return '';
    }
}

;// CONCATENATED MODULE: ./src/follow/poll.ts
/**
 * Polling CDN tasks until every URL has finished, or the wait's bound passes. Pure of I/O: the look-up
 * (one DescribeRefreshTaskById call with its retries), the clock and the pause are passed in, so the
 * schedule is tested with a fake clock.
 *
 * The schedule: the first poll one `poll-interval` after the start; never two polls closer than
 * `poll-interval`; the pause grows ×1.5 while no URL changes status, up to 6× `poll-interval`, and drops
 * back at the first change; one last poll at the deadline.
 */



/** The pause grows by this factor after a round in which no URL changed status... */
const BACKOFF_FACTOR = 1.5;
/** ...up to this many times `poll-interval`. */
const MAX_BACKOFF = 6;
/** The pause before the next poll: back to `base` after a change, otherwise ×1.5 up to 6× `base`. */
function nextInterval(current, base, changed) {
    return changed ? base : Math.min(current * BACKOFF_FACTOR, base * MAX_BACKOFF);
}
/**
 * When the next poll may start, or undefined when the wait is over. The pause counts from the end of
 * the previous poll, so two polls are never closer than `poll-interval`. The last poll is at the
 * deadline — or `poll-interval` after the previous one, if that is later.
 */
function nextPollAt(state) {
    const { start, deadline, base, interval, lastPollAt, lastPollEnd } = state;
    if (lastPollAt === undefined || lastPollEnd === undefined)
        return Math.min(start + base, deadline);
    if (lastPollAt >= deadline)
        return undefined;
    const next = lastPollEnd + interval;
    return next < deadline ? next : Math.max(deadline, lastPollEnd + base);
}
/** Splits IDs into look-ups of at most 10, keeping their order. */
function groupTaskIds(taskIds, size = MAX_TASK_IDS_PER_LOOKUP) {
    const groups = [];
    for (let start = 0; start < taskIds.length; start += size)
        groups.push(taskIds.slice(start, start + size));
    return groups;
}
/** Alibaba's status spelling → ours; anything unknown is taken as not finished. */
function taskStatusOf(raw) {
    switch (raw.trim().toLowerCase()) {
        case 'complete':
            return 'Complete';
        case 'failed':
            return 'Failed';
        case 'refreshing':
            return 'Refreshing';
        default:
            return 'Pending';
    }
}
function isFinished(status) {
    return status === 'Complete' || status === 'Failed';
}
/** When one URL shows up in several tasks (sent twice), the most hopeful one speaks for it. */
const RANK = { Complete: 3, Refreshing: 2, Pending: 1, Failed: 0 };
function stateOf(task) {
    const status = taskStatusOf(task.status);
    const percent = Number.parseInt(task.process ?? '', 10);
    return {
        status,
        taskId: task.taskId,
        process: isFinished(status) ? 100 : Number.isFinite(percent) ? Math.max(0, Math.min(100, percent)) : 0,
        ...(status === 'Failed' && task.description ? { description: task.description } : {}),
    };
}
/** Finds the tracked URL a task's ObjectPath stands for, by normalized URL (and, failing that, without the scheme). */
class UrlIndex {
    exact = new Map();
    schemeless = new Map();
    constructor(tracked) {
        for (const item of tracked) {
            this.exact.set(item.url, item);
            const key = withoutScheme(item.url);
            // null marks a key two URLs share (http:// and https://): no guessing between them.
            this.schemeless.set(key, this.schemeless.has(key) ? null : item);
        }
    }
    find(objectPath) {
        const normalized = normalizeUrl(objectPath);
        if (!normalized.ok)
            return undefined;
        return this.exact.get(normalized.url) ?? this.schemeless.get(withoutScheme(normalized.url)) ?? undefined;
    }
}
function withoutScheme(url) {
    return url.replace(/^https?:\/\//, '');
}
/**
 * Polls until every tracked URL is Complete or Failed, `waitTimeoutMs` passes, the signal aborts, or a
 * look-up keeps failing. A URL missing from an answer is pending. Logs one line per round.
 */
async function pollTasks(tracked, options) {
    const now = options.now ?? Date.now;
    const pause = options.sleep ?? sleep;
    const { signal, logger } = options;
    const base = options.pollIntervalMs;
    const start = now();
    const deadline = start + options.waitTimeoutMs;
    const states = new Map(tracked.map((item) => [item.url, { status: 'Pending', process: 0 }]));
    const pollable = tracked.filter((item) => item.taskIds.length > 0);
    const index = new UrlIndex(pollable);
    const schedule = { start, deadline, base, interval: base };
    let polls = 0;
    let lookUps = 0;
    const finish = (ended, error) => ({
        states,
        ended,
        polls,
        lookUps,
        elapsedMs: now() - start,
        ...(error !== undefined ? { error } : {}),
    });
    const allFinished = () => pollable.every((item) => isFinished(states.get(item.url)?.status ?? 'Pending'));
    if (allFinished())
        return finish('finished');
    for (;;) {
        const at = nextPollAt(schedule);
        if (at === undefined)
            return finish('timeout');
        if (at > now())
            await pause(at - now(), signal);
        if (signal?.aborted)
            return finish('stopped');
        schedule.lastPollAt = now();
        const active = activeTaskIds(pollable, states);
        const groups = groupTaskIds(active);
        lookUps += groups.length;
        const answers = await Promise.allSettled(groups.map((group) => options.lookUp(group)));
        polls++;
        schedule.lastPollEnd = now();
        const answered = new Set(groups.filter((_, i) => answers[i]?.status === 'fulfilled').flat());
        const tasks = answers.flatMap((answer) => (answer.status === 'fulfilled' ? answer.value : []));
        const changed = applyAnswers(pollable, states, index, tasks, answered);
        logger.info(progressLine(options.what, polls, schedule.lastPollEnd - start, tracked, states));
        if (signal?.aborted)
            return finish('stopped');
        const failure = answers.find((answer) => answer.status === 'rejected');
        if (failure)
            return finish('poll-failed', failure.reason);
        if (allFinished())
            return finish('finished');
        schedule.interval = nextInterval(schedule.interval, base, changed);
    }
}
/** The IDs, in order of first appearance, under which some URL has not finished. */
function activeTaskIds(pollable, states) {
    const ids = new Set();
    for (const item of pollable) {
        if (isFinished(states.get(item.url)?.status ?? 'Pending'))
            continue;
        for (const id of item.taskIds)
            ids.add(id);
    }
    return [...ids];
}
/**
 * Records what the answers say; returns whether any URL changed status. A finished URL stays finished.
 * An unfinished URL whose task IDs were all answered but which no answer lists is pending.
 */
function applyAnswers(pollable, states, index, tasks, answered) {
    const seen = new Map();
    for (const task of tasks) {
        const item = index.find(task.objectPath);
        if (!item || !item.taskIds.includes(task.taskId))
            continue;
        const state = stateOf(task);
        const before = seen.get(item.url);
        if (!before || RANK[state.status] > RANK[before.status])
            seen.set(item.url, state);
    }
    let changed = false;
    for (const item of pollable) {
        const previous = states.get(item.url);
        if (previous && isFinished(previous.status))
            continue;
        const found = seen.get(item.url);
        const next = found ??
            (item.taskIds.every((id) => answered.has(id)) ? { status: 'Pending', process: 0 } : previous);
        if (!next)
            continue;
        if (next.status !== previous?.status)
            changed = true;
        states.set(item.url, next);
    }
    return changed;
}
/** Counts of the URLs' last known states. */
function countStates(states) {
    let completed = 0;
    let failed = 0;
    for (const state of states.values()) {
        if (state.status === 'Complete')
            completed++;
        else if (state.status === 'Failed')
            failed++;
    }
    return { completed, failed, pending: states.size - completed - failed };
}
function progressLine(what, poll, elapsedMs, tracked, states) {
    const { completed, failed, pending } = countStates(states);
    return (`${what} tasks, poll ${poll} at ${Math.round(elapsedMs / 1000)} s: ` +
        `${completed} done, ${failed} failed, ${pending} pending (of ${tracked.length} URLs)`);
}
/** One row per task ID, in order of first appearance; a URL not found under any ID counts under its first. */
function taskProgress(tracked, states) {
    const rows = new Map();
    for (const item of tracked) {
        const state = states.get(item.url) ?? { status: 'Pending', process: 0 };
        const id = state.taskId ?? item.taskIds[0];
        if (id === undefined)
            continue;
        let row = rows.get(id);
        if (!row) {
            row = {
                taskId: id,
                urls: 0,
                complete: 0,
                failed: 0,
                pending: 0,
                process: 0,
                status: 'Pending',
                processSum: 0,
                refreshing: 0,
            };
            rows.set(id, row);
        }
        row.urls++;
        row.processSum += state.process;
        if (state.status === 'Complete')
            row.complete++;
        else if (state.status === 'Failed')
            row.failed++;
        else
            row.pending++;
        if (state.status === 'Refreshing')
            row.refreshing++;
    }
    return [...rows.values()].map(({ processSum, refreshing, ...row }) => ({
        ...row,
        process: Math.floor(processSum / row.urls),
        status: row.pending === 0
            ? row.failed > 0
                ? 'Failed'
                : 'Complete'
            : refreshing > 0 || row.complete + row.failed > 0
                ? 'Refreshing'
                : 'Pending',
    }));
}

;// CONCATENATED MODULE: ./src/follow/wait.ts





/** How many failed URLs are named one by one in the log; the rest are in the summary and the report. */
const LOGGED_FAILURES = 10;
/**
 * Polls the tasks of `tracked` (DescribeRefreshTaskById, ≤ 10 IDs a call, retried like any call) until
 * they finish or `wait-timeout` passes, and says how the wait ended. Never throws for a failing poll:
 * the wait then ends with a warning and the states as last known.
 */
async function followTasks(ctx, what, tracked) {
    const { logger, options, stop } = ctx;
    const waitEnds = Date.now() + options.waitTimeoutMs;
    let calls = 0;
    const lookUp = (taskIds) => {
        // Retries stop at the wait's deadline (but a poll at the deadline still gets one interval of them).
        const policy = {
            ...ctx.retryPolicy,
            maxElapsedMs: Math.min(ctx.retryPolicy.maxElapsedMs, Math.max(options.pollIntervalMs, waitEnds - Date.now())),
        };
        return withRetries(() => {
            calls++;
            return describeRefreshTaskById(ctx.client, taskIds);
        }, policy, {
            signal: stop.sendSignal,
            onRetry: (error, delay, attempt) => logger.info(`  DescribeRefreshTaskById: ${error.code ?? error.message}; retry ${attempt} in ${(delay / 1000).toFixed(1)} s`),
        });
    };
    const outcome = await pollTasks(tracked, {
        what,
        pollIntervalMs: options.pollIntervalMs,
        waitTimeoutMs: options.waitTimeoutMs,
        lookUp,
        logger,
        signal: stop.sendSignal,
    });
    const summary = {
        ...countStates(outcome.states),
        ended: outcome.ended,
        polls: outcome.polls,
        calls,
        elapsedMs: outcome.elapsedMs,
        tasks: taskProgress(tracked, outcome.states),
        ...(outcome.error !== undefined ? { error: pollError(outcome.error) } : {}),
    };
    return { summary, states: outcome.states };
}
function pollError(error) {
    if (error instanceof AlibabaError &&
        (error.errorClass === 'permission' || error.errorClass === 'credentials')) {
        return `${error.message}. ${adviceFor(error)}`;
    }
    return errorMessage(error);
}
/** Says how a wait ended: a notice when all finished, a warning otherwise. */
function reportWaitEnd(logger, what, summary, timeoutMs) {
    const counts = `${summary.completed} done, ${summary.failed} failed, ${summary.pending} pending`;
    const seconds = Math.round(summary.elapsedMs / 1000);
    switch (summary.ended) {
        case 'finished':
            logger.info(`${what} tasks finished after ${seconds} s: ${counts}.`);
            return;
        case 'timeout':
            logger.warning(`${what}: ${summary.pending} URLs still pending when wait-timeout (${timeoutMs / 1000} s) passed ` +
                `(${counts}). The CDN carries on with them; raise wait-timeout to wait longer.`);
            return;
        case 'stopped':
            logger.warning(`${what}: stopped waiting after ${seconds} s, the run is stopping (${counts} as last known).`);
            return;
        case 'poll-failed':
            logger.warning(`${what}: stopped waiting after ${seconds} s, DescribeRefreshTaskById kept failing ` +
                `(${summary.error ?? 'unknown error'}); counts as last known: ${counts}.`);
    }
}
/** Names failed URLs with the CDN's reason, a few in the log; all of them are in the summary and the report. */
function warnFailures(logger, what, states) {
    const failed = [...states].filter(([, state]) => state.status === 'Failed');
    for (const [url, state] of failed.slice(0, LOGGED_FAILURES)) {
        logger.warning(`${what} failed at the CDN: ${url} (${state.description ?? 'no reason given'})`);
    }
    if (failed.length > LOGGED_FAILURES) {
        logger.warning(`…and ${failed.length - LOGGED_FAILURES} more ${what.toLowerCase()} failures; see the job summary.`);
    }
}
/** `wait`: follows the submitted URLs' prefetch tasks. Undefined when `wait` is off. */
async function waitForPrefetch(ctx, outcomes) {
    if (!ctx.options.wait)
        return undefined;
    const { logger, options } = ctx;
    const tracked = outcomes
        .filter((outcome) => outcome.status === 'submitted')
        .map((outcome) => ({ url: outcome.url, taskIds: splitTaskIds(outcome.taskId ?? '') }));
    const untracked = tracked.filter((item) => item.taskIds.length === 0).length;
    if (untracked > 0) {
        logger.warning(`${untracked} submitted URLs have no task ID to follow: they count as pending.`);
    }
    const ids = new Set(tracked.flatMap((item) => item.taskIds)).size;
    if (tracked.length > 0) {
        logger.info(`Waiting for ${tracked.length} prefetched URLs in ${ids} tasks (up to ${options.waitTimeoutMs / 1000} s, ` +
            `polling every ${options.pollIntervalMs / 1000} s or more).`);
    }
    const followed = await followTasks(ctx, 'Prefetch', tracked);
    if (tracked.length > 0)
        reportWaitEnd(logger, 'Prefetch', followed.summary, options.waitTimeoutMs);
    warnFailures(logger, 'Prefetch', followed.states);
    return followed;
}

;// CONCATENATED MODULE: ./src/follow/refresh.ts
/**
 * `refresh`: the URLs that need it (follow/fresh.ts says which) are refreshed (RefreshObjectCaches,
 * ObjectType=File) within the day's refresh quota, in the plan's order, before anything is prefetched —
 * all of them, those whose prefetch waits for a later run included. Then their tasks are followed
 * (bounded by `wait-timeout`) while the URLs that need no refresh are prefetched; a refreshed URL is
 * prefetched only once its task is Complete (run.ts orders the phases).
 *
 * A refusal for want of `cdn:RefreshObjectCaches` does not stop the run: the URLs that need no refresh
 * are still prefetched, the others are held back and carried. A call whose answer was lost is looked
 * up, never sent again blindly: the refresh quota is not spent twice.
 */






/**
 * Packs URLs into RefreshObjectCaches calls: grouped by host (in order of first appearance), at most
 * 1,000 URLs and 10 hosts a call, and no more calls than that requires.
 */
function groupForRefresh(items, limits = REFRESH_LIMITS) {
    const byHost = new Map();
    for (const item of items) {
        const list = byHost.get(item.host);
        if (list)
            list.push(item);
        else
            byHost.set(item.host, [item]);
    }
    const calls = [];
    let current = [];
    let hosts = 0;
    for (const list of byHost.values()) {
        for (let taken = 0; taken < list.length;) {
            if (current.length === limits.maxUrls || hosts === limits.maxDomains) {
                calls.push(current);
                current = [];
                hosts = 0;
            }
            const take = list.slice(taken, taken + limits.maxUrls - current.length);
            current.push(...take);
            hosts++;
            taken += take.length;
        }
    }
    if (current.length > 0)
        calls.push(current);
    return calls;
}
/**
 * Refreshes `items` (the URLs that need it, in plan order) within UrlRemain, without waiting for the
 * tasks. Throws only a credential error (the prefetch would be refused too).
 */
async function sendRefreshes(ctx, items) {
    const sent = {
        summary: { taskIds: [], requested: items.length, refreshed: 0, notRefreshed: 0, calls: 0 },
        accepted: new Map(),
        notRefreshed: new Map(),
    };
    if (items.length === 0)
        return sent;
    const urlRemain = await readUrlRemain(ctx);
    if (urlRemain !== undefined)
        sent.summary.urlRemain = urlRemain;
    const chosen = urlRemain === undefined ? items : items.slice(0, urlRemain);
    const beyond = items.slice(chosen.length);
    notRefreshed(sent, beyond, 'quota', `not refreshed: beyond the daily refresh quota (UrlRemain was ${urlRemain})`);
    if (chosen.length > 0) {
        await ctx.logger.group(`Refreshing ${chosen.length} URLs before their prefetch`, () => sendCalls(ctx, chosen, sent));
    }
    sent.summary.refreshed = sent.accepted.size;
    sent.summary.notRefreshed = sent.notRefreshed.size;
    warnNotRefreshed(ctx, sent, urlRemain);
    return sent;
}
/** UrlRemain, or undefined (with a warning) when it cannot be read; credential errors throw. */
async function readUrlRemain(ctx) {
    try {
        const { urlRemain } = await withRetries(() => describeRefreshQuota(ctx.client), ctx.retryPolicy, {
            signal: ctx.stop.sendSignal,
        });
        if (urlRemain.value === undefined) {
            ctx.logger.warning(`refresh: DescribeRefreshQuota answered UrlRemain ${urlRemain.answered}, not a whole number of URLs; ` +
                'refreshing without a cap.');
            return undefined;
        }
        ctx.logger.info(`Daily refresh quota: ${urlRemain.value} URLs remain today.`);
        return urlRemain.value;
    }
    catch (error) {
        if (error instanceof AlibabaError && error.errorClass === 'credentials')
            throw error;
        ctx.logger.warning(`refresh: cannot read the refresh quota (${error instanceof AlibabaError ? (error.code ?? error.message) : errorMessage(error)}); ` +
            'refreshing without a cap. Grant cdn:DescribeRefreshQuota so that the run stays within UrlRemain.');
        return undefined;
    }
}
/**
 * Sends the refresh calls one after the other (their IDs then come out in submission order), recording
 * every URL as accepted (with its task IDs) or not refreshed (with why).
 */
async function sendCalls(ctx, items, sent) {
    const { logger, stop } = ctx;
    const taskIds = new Set();
    /** Set once a refusal ends the refreshes of this run: the quota is used up, or the permission is missing. */
    let ended;
    const take = (group, taskIdOf) => {
        const at = new Date().toISOString();
        for (const item of group) {
            const ids = splitTaskIds(taskIdOf(item.url));
            for (const id of ids)
                taskIds.add(id);
            sent.accepted.set(item.url, { taskIds: ids, at });
        }
    };
    const send = async (group) => {
        if (stop.reason)
            return notRefreshed(sent, group, stop.reason, notSentReason(stop.reason));
        if (ended)
            return notRefreshed(sent, group, ended.kind, ended.reason);
        try {
            const result = await refreshOnce(ctx, group, sent.summary);
            if (result.kind === 'answered') {
                take(group, () => result.taskId);
                logger.info(`RefreshObjectCaches: ${group.length} URLs on ${hostCount(group)} host(s), task ${result.taskId || '(none)'}, request ${result.requestId ?? '(none)'}`);
                if (result.taskId === '')
                    logger.warning('refresh: a call was accepted without a task ID; its URLs cannot be followed.');
                return;
            }
            const found = group.filter((item) => result.found.has(item.url));
            take(found, (url) => result.found.get(url) ?? '');
            if (found.length > 0)
                logger.info(`RefreshObjectCaches: ${found.length} URLs were accepted after all (found by look-up).`);
            const doubtful = group.filter((item) => !result.found.has(item.url));
            notRefreshed(sent, doubtful, 'unknown', `outcome unknown: ${result.why}, so it was not sent again`);
        }
        catch (error) {
            if (!(error instanceof AlibabaError) || error.errorClass === 'credentials')
                throw error;
            if (stop.reason)
                return notRefreshed(sent, group, stop.reason, notSentReason(stop.reason));
            if (error.errorClass === 'domain' && hostCount(group) > 1) {
                // One host the CDN does not know refuses the whole call: send each host alone, so the others still get refreshed.
                for (const single of groupForRefresh(group, { maxUrls: REFRESH_LIMITS.maxUrls, maxDomains: 1 })) {
                    await send(single);
                }
                return;
            }
            const kind = refusalKind(error);
            const reason = `not refreshed: RefreshObjectCaches refused: ${error.message}`;
            const refusal = { ...(error.code ? { code: error.code } : {}), errorClass: error.errorClass };
            // The quota and the permission will not come back within the run: no more calls are sent.
            if (kind === 'quota' || kind === 'permission')
                ended = { kind, reason };
            if (kind === 'permission')
                sent.summary.refused = `${error.code ?? error.message}`;
            notRefreshed(sent, group, kind, reason, refusal);
        }
    };
    for (const group of groupForRefresh(items))
        await send(group);
    sent.summary.taskIds = [...taskIds];
}
function refusalKind(error) {
    if (error.errorClass === 'quota')
        return 'quota';
    if (error.errorClass === 'permission')
        return 'permission';
    return isRetryable(error.errorClass) ? 'retryable' : 'refused';
}
/** One warning per cause of the URLs not refreshed, saying what to do. */
function warnNotRefreshed(ctx, sent, urlRemain) {
    const byKind = new Map();
    for (const { kind } of sent.notRefreshed.values())
        byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    const stale = (n) => `${n} URLs that needed a refresh were not refreshed, so they still serve the old copy and are not prefetched ` +
        '(a prefetch cannot replace it)';
    for (const [kind, count] of byKind) {
        switch (kind) {
            case 'quota':
                ctx.logger.warning(`refresh: ${stale(count)}: the daily refresh quota ran out (UrlRemain ${urlRemain ?? 'was not read'}). ` +
                    'With state they are carried and refreshed first by the next run; raise the refresh quota, or run again tomorrow.');
                break;
            case 'permission':
                ctx.logger.warning(`refresh: RefreshObjectCaches was refused (${sent.summary.refused}): the RAM user or role lacks ` +
                    `cdn:RefreshObjectCaches. ${stale(count)}; the URLs that need no refresh are still prefetched. Grant ` +
                    'cdn:RefreshObjectCaches and cdn:DescribeRefreshTaskById in its RAM policy (see "RAM policy" in the ' +
                    'README), or set refresh: false to prefetch without refreshing.');
                break;
            case 'unknown':
                ctx.logger.warning(`refresh: ${stale(count)}: the answer of their call was lost and look-ups could not settle it, so it ` +
                    'was not sent again (no refresh quota is spent twice). With state they are carried and refreshed by the next run.');
                break;
            case 'deadline':
            case 'cancelled':
                break; // the run says it stopped, once
            default:
                ctx.logger.warning(`refresh: ${stale(count)}: their RefreshObjectCaches calls were refused; see the report.`);
        }
    }
}
/**
 * One RefreshObjectCaches call, retried when refused for a passing reason. A failure whose outcome is
 * unknown is looked up (DescribeRefreshTasks, ObjectType=file) over the same window as a prefetch,
 * and sent again only when the look-ups show it was not accepted: refresh quota is not spent twice.
 * Throws the last refusal.
 */
async function refreshOnce(ctx, group, summary) {
    const { logger, stop } = ctx;
    const started = Date.now();
    for (let attempt = 1;; attempt++) {
        const sentAt = Date.now();
        summary.calls++;
        let error;
        try {
            const result = await refreshObjectCaches(ctx.client, group.map((item) => item.url));
            return { kind: 'answered', ...result };
        }
        catch (thrown) {
            if (!(thrown instanceof AlibabaError))
                throw thrown;
            error = thrown;
        }
        if (error.outcomeUnknown) {
            if (stop.reason) {
                const why = `the call was in flight when the run stopped (${error.message})`;
                return { kind: 'looked-up', found: new Map(), why };
            }
            logger.info(`  RefreshObjectCaches: ${error.message}; looking the call up before deciding to send it again`);
            const lookup = await lookUpCall(ctx.client, { urls: group.map((item) => item.url), objectType: 'file', sentAt }, { policy: ctx.lookup, retryPolicy: ctx.retryPolicy, signal: stop.sendSignal });
            if (lookup.kind === 'accepted')
                return { kind: 'looked-up', found: lookup.taskIds, why: '' };
            if (lookup.kind === 'in-doubt') {
                return { kind: 'looked-up', found: lookup.found, why: `${error.message}; ${lookup.why}` };
            }
        }
        const delay = nextRetryDelay(error, attempt, started, ctx.retryPolicy);
        if (delay === undefined || stop.reason)
            throw error;
        logger.info(`  RefreshObjectCaches: ${error.code ?? error.message}; retry ${attempt} in ${(delay / 1000).toFixed(1)} s`);
        await sleep(delay, stop.sendSignal);
        if (stop.reason)
            throw error;
    }
}
/** Follows the accepted refreshes' tasks until they finish or `wait-timeout` passes; undefined when none was accepted. */
async function waitForRefresh(ctx, sent) {
    if (sent.accepted.size === 0)
        return undefined;
    const { logger, options } = ctx;
    logger.info(`Waiting for ${sent.accepted.size} refreshed URLs in ${sent.summary.taskIds.length} tasks before prefetching them ` +
        `(up to ${options.waitTimeoutMs / 1000} s, polling every ${options.pollIntervalMs / 1000} s or more).`);
    const tracked = [...sent.accepted].map(([url, { taskIds }]) => ({ url, taskIds }));
    const followed = await followTasks(ctx, 'Refresh', tracked);
    reportWaitEnd(logger, 'Refresh', followed.summary, options.waitTimeoutMs);
    warnFailures(logger, 'Refresh', followed.states);
    sent.summary.wait = followed.summary;
    return followed;
}
/**
 * Every candidate's refresh, for its report row and the carry-over: not needed (and why), not
 * refreshed (and why), or its task's last known state. A refresh that failed at the CDN leaves no
 * `refreshedAt`: the URL is refreshed again before it is prefetched.
 */
function refreshOutcomes(needs, sent, followed) {
    const urls = new Map();
    for (const [url, need] of needs) {
        if (!need.needed) {
            urls.set(url, {
                refreshStatus: 'NotNeeded',
                refreshDescription: need.why,
                ...(need.refreshedAt !== undefined ? { refreshedAt: need.refreshedAt } : {}),
            });
            continue;
        }
        const refused = sent?.notRefreshed.get(url);
        const accepted = sent?.accepted.get(url);
        if (refused || !accepted) {
            urls.set(url, {
                refreshStatus: 'NotRefreshed',
                notRefreshed: refused?.kind ?? 'stopped',
                refreshDescription: refused?.reason ?? 'not refreshed: nothing was sent',
            });
            continue;
        }
        const state = followed?.states.get(url);
        const status = state?.status ?? 'Pending';
        urls.set(url, {
            refreshStatus: status,
            refreshTaskId: state?.taskId ?? accepted.taskIds.join(','),
            ...(state?.description ? { refreshDescription: state.description } : {}),
            ...(status === 'Failed' ? {} : { refreshedAt: accepted.at }),
        });
    }
    return urls;
}
function hostCount(items) {
    return new Set(items.map((item) => item.host)).size;
}
function notRefreshed(sent, items, kind, reason, refusal) {
    for (const item of items)
        sent.notRefreshed.set(item.url, { kind, reason, ...(refusal ? { refusal } : {}) });
}

;// CONCATENATED MODULE: ./src/follow/result.ts
/**
 * Adds `refreshStatus`, `refreshTaskId`, `refreshDescription`, `notRefreshed` and `refreshedAt` (with
 * `refresh`: on every URL that was a candidate) and `taskStatus` / `description` (with `wait`: on every
 * submitted URL) to the outcomes.
 */
function withFollowThrough(outcomes, refreshed, waited) {
    if (!refreshed && !waited)
        return { outcomes: [...outcomes] };
    const decorated = outcomes.map((outcome) => {
        let next = outcome;
        const refresh = refreshed?.urls.get(outcome.url);
        if (refresh)
            next = { ...next, ...refresh };
        const state = outcome.status === 'submitted' ? waited?.states.get(outcome.url) : undefined;
        if (state) {
            next = {
                ...next,
                taskStatus: state.status,
                ...(state.description ? { description: state.description } : {}),
            };
        }
        return next;
    });
    return {
        outcomes: decorated,
        follow: {
            ...(refreshed ? { refresh: refreshed.summary } : {}),
            ...(waited ? { wait: waited.summary } : {}),
        },
    };
}
/**
 * URLs held back from the prefetch because their refresh was not confirmed Complete: skipped, with
 * why. A prefetch sent now would fill nothing (the old copy is still valid) or be emptied by the
 * refresh when it completes. One whose refresh the CDN refused for itself (a host that is not an
 * accelerated domain, a URL it does not take) failed, with the refusal's code: a prefetch would be
 * refused the same way.
 */
function heldBackOutcomes(items, refreshed, sent, waitTimeoutMs) {
    return items.map((item) => {
        const where = { source: item.source, order: item.order };
        const missed = sent.notRefreshed.get(item.url);
        if (missed?.kind === 'refused' && missed.refusal) {
            const { code, errorClass } = missed.refusal;
            const reason = `${missed.reason}; not prefetched, as a prefetch would be refused too`;
            return { url: item.url, status: 'failed', reason, ...(code ? { code } : {}), errorClass, ...where };
        }
        const reason = heldBackReason(refreshed.urls.get(item.url), waitTimeoutMs);
        return { url: item.url, status: 'skipped', reason, skip: 'refresh', ...where };
    });
}
function heldBackReason(refresh, waitTimeoutMs) {
    const held = 'held back from the prefetch';
    switch (refresh?.refreshStatus) {
        case 'Failed':
            return `refresh: ${held}: its refresh failed at the CDN (${refresh.refreshDescription ?? 'no reason given'}), so the old copy stays`;
        case 'Pending':
        case 'Refreshing':
            return (`refresh: ${held}: its refresh was not confirmed Complete within wait-timeout (${waitTimeoutMs / 1000} s), ` +
                'and a prefetch before it completes fills nothing; it was refreshed, so a later prefetch needs no new refresh');
        default:
            return `refresh: ${held}: ${refresh?.refreshDescription ?? 'not refreshed'}, so the old copy stays`;
    }
}

;// CONCATENATED MODULE: ./src/base/outcome.ts
function countOutcomes(outcomes) {
    const counts = { submitted: 0, skipped: 0, failed: 0, planned: 0, total: outcomes.length };
    for (const outcome of outcomes)
        counts[outcome.status]++;
    return counts;
}

;// CONCATENATED MODULE: ./src/sitemap/lastmod.ts
/**
 * `<lastmod>` as an instant. Generators write the same moment in many W3C datetime forms
 * (`2026-01-05`, `2026-01-05T00:00:00Z`, `…T08:00:00+08:00`, any number of fraction digits), so
 * changes are detected by comparing instants, never strings.
 */
/**
 * Milliseconds since the epoch (fractional below a millisecond, so that `.1234` and `.1235` differ),
 * or NaN when the value is not a W3C datetime: YYYY, YYYY-MM, YYYY-MM-DD, then optionally Thh:mm,
 * Thh:mm:ss or Thh:mm:ss.f (any number of digits), then optionally Z or ±hh:mm. A value without a
 * zone is taken as UTC.
 *
 * Hand-written rather than a regular expression: it runs once per URL on both sides of the diff,
 * and at a million URLs a side the regular expression and its substrings were a visible cost.
 */
function parseLastmod(raw) {
    // Generators often stamp every URL with the build time: remember the last answer.
    if (raw === lastRaw)
        return lastValue;
    lastValue = parse(raw);
    lastRaw = raw;
    return lastValue;
}
let lastRaw = '';
let lastValue = NaN;
function parse(raw) {
    const s = raw.trim();
    const n = s.length;
    const year = digits(s, 0, 4);
    if (year < 0 || (n > 4 && s.charCodeAt(4) !== DASH))
        return NaN;
    const month = n > 4 ? digits(s, 5, 2) : 1;
    if (month < 1 || month > 12 || (n > 7 && s.charCodeAt(7) !== DASH))
        return NaN;
    const day = n > 7 ? digits(s, 8, 2) : 1;
    if (day < 1 || day > daysIn(year, month))
        return NaN;
    if (n === 4 || n === 7 || n === 10)
        return utc(year, month, day, 0, 0, 0);
    if (n < 16 || (s.charCodeAt(10) | 0x20) !== LOWER_T || s.charCodeAt(13) !== COLON)
        return NaN;
    const hour = digits(s, 11, 2);
    const minute = digits(s, 14, 2);
    let second = 0;
    let fraction = 0;
    let i = 16;
    if (s.charCodeAt(i) === COLON) {
        second = digits(s, 17, 2);
        i = 19;
        if (s.charCodeAt(i) === DOT) {
            const start = ++i;
            while (i < n && isDigit(s.charCodeAt(i)))
                i++;
            if (i === start)
                return NaN;
            fraction = fractionMs(s, start, i);
        }
    }
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59)
        return NaN;
    let offset = 0;
    if (i < n) {
        const sign = s.charCodeAt(i);
        if ((sign | 0x20) === LOWER_Z) {
            i++;
        }
        else if (sign === PLUS || sign === DASH) {
            const offsetHours = digits(s, i + 1, 2);
            const offsetMinutes = digits(s, i + 4, 2);
            if (s.charCodeAt(i + 3) !== COLON ||
                offsetHours < 0 ||
                offsetHours > 23 ||
                offsetMinutes < 0 ||
                offsetMinutes > 59) {
                return NaN;
            }
            offset = (sign === PLUS ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
            i += 6;
        }
    }
    if (i !== n)
        return NaN;
    return utc(year, month, day, hour, minute, second) + fraction + offset;
}
const DASH = 0x2d;
const PLUS = 0x2b;
const COLON = 0x3a;
const DOT = 0x2e;
const LOWER_T = 0x74;
const LOWER_Z = 0x7a;
function isDigit(code) {
    return code >= 0x30 && code <= 0x39;
}
/** The number written by `count` digits at `at`, or -1. */
function digits(s, at, count) {
    if (at + count > s.length)
        return -1;
    let value = 0;
    for (let i = at; i < at + count; i++) {
        const code = s.charCodeAt(i);
        if (!isDigit(code))
            return -1;
        value = value * 10 + (code - 0x30);
    }
    return value;
}
/**
 * Fraction digits as milliseconds. The first three digits are whole milliseconds, added as an
 * integer, so that `.5`, `.500` and `.5000` are the very same number (`0.007 * 1000` is not 7).
 */
function fractionMs(s, start, end) {
    let whole = 0;
    for (let i = start; i < start + 3; i++)
        whole = whole * 10 + (i < end ? s.charCodeAt(i) - 0x30 : 0);
    const digits = end - start - 3;
    if (digits <= 0)
        return whole;
    if (digits > 15)
        return whole + Number(`0.${s.slice(start + 3, end)}`);
    // Up to 15 digits are an exact integer, and dividing by an exact power of ten rounds once, just
    // as Number("0.…") does; `.000000` (a common spelling) costs no string at all.
    let rest = 0;
    for (let i = start + 3; i < end; i++)
        rest = rest * 10 + (s.charCodeAt(i) - 0x30);
    return rest === 0 ? whole : whole + rest / 10 ** digits;
}
/**
 * The shortest `YYYY-MM-DDThh:mm:ss[.f]Z` that parseLastmod reads back as exactly `ms`, so that a
 * saved baseline compares equal to the sitemap it was saved from.
 */
function formatLastmod(ms) {
    const whole = Math.floor(ms / 1000) * 1000;
    const base = new Date(whole).toISOString().slice(0, 19); // YYYY-MM-DDThh:mm:ss
    const rest = ms - whole; // exact: both are within a factor of two of each other
    if (rest === 0)
        return `${base}Z`;
    let best = '';
    for (let digits = 1; digits <= 20; digits++) {
        const fraction = (rest / 1000).toFixed(digits).slice(2); // "0.123" -> "123"
        best = `${base}.${fraction}Z`;
        if (parseLastmod(best) === ms)
            return best;
    }
    return best;
}
/** Date.UTC without its quirks (years 0-99 mean 1900-1999 there) and without its cost. */
function utc(year, month, day, hour, minute, second) {
    return ((daysFromCivil(year, month, day) * 24 + hour) * 60 + minute) * 60_000 + second * 1000;
}
/** Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil). */
function daysFromCivil(year, month, day) {
    const y = month <= 2 ? year - 1 : year;
    const era = Math.floor(y / 400);
    const yearOfEra = y - era * 400;
    const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
    const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
    return era * 146_097 + dayOfEra - 719_468;
}
function daysIn(year, month) {
    if (month === 2)
        return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
    return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

;// CONCATENATED MODULE: ./src/report/result.ts
/**
 * The run's result: what the report, the job summary, the outputs and the CLI's table are built from.
 * The run's phases hand over plain parts (what was sent, what was not, what the sitemap and the site
 * held), and the result is assembled here, beside its definition.
 */






/** The result of a run that got as far as sending (or as a dry run, as planning). */
function runResult(parts) {
    const { submitted } = parts;
    const outcomes = withChanges(parts.outcomes, parts.urls.changes);
    return {
        outcomes,
        counts: countOutcomes(outcomes),
        taskIds: distinctTaskIds(outcomes),
        requestIds: submitted?.requestIds ?? [],
        duplicates: parts.urls.duplicates,
        ...(parts.quotaRemain !== undefined ? { quotaRemain: parts.quotaRemain } : {}),
        dryRun: parts.dryRun,
        calls: parts.apiCalls['PushObjectCache'] ?? 0,
        apiCalls: parts.apiCalls,
        retries: submitted?.retries ?? 0,
        confirmedByLookup: submitted?.confirmedByLookup ?? 0,
        ...(parts.stopped ? { stopped: parts.stopped } : {}),
        ...(submitted?.fatal ? { fatal: fatalText(submitted.fatal) } : {}),
        ...(parts.follow ? { follow: parts.follow } : {}),
        ...(parts.sitemap ? { sitemap: parts.sitemap } : {}),
    };
}
/** A refusal by the API before sending (credentials, a permission, a proxy, the quota read). */
function refusalOf(error) {
    return {
        fatal: isFatal(error.errorClass) ? fatalText(error) : error.message,
        reason: `not sent: the run stopped at ${error.code ?? error.message}`,
    };
}
/** A sitemap that could not be read: nothing is sent. */
function sitemapRefusal(failure) {
    return { fatal: failure.message, reason: 'not sent: the sitemap could not be read' };
}
/**
 * A run refused before anything was submitted (an unreadable sitemap, credentials, a proxy, the quota
 * read): every URL is still reported — the rejected entries as they are, the others as not sent for
 * `refusal.reason` — and the step fails with `refusal.fatal`.
 */
function refusedResult(parts, urls, refusal) {
    const unsent = failedOutcomes(urls.candidates, refusal.reason, 'stopped');
    const outcomes = inInputOrder(urls.rejected, unsent);
    return { ...runResult({ ...parts, urls, outcomes }), fatal: refusal.fatal };
}
/** The result of a run that sent nothing and reported no URL (`save-sitemap`). */
function emptyResult(dryRun, saved) {
    return {
        outcomes: [],
        counts: countOutcomes([]),
        taskIds: [],
        requestIds: [],
        duplicates: 0,
        dryRun,
        calls: 0,
        apiCalls: {},
        retries: 0,
        confirmedByLookup: 0,
        ...(saved ? { savedSitemap: saved } : {}),
    };
}
/** The outcomes of every part of the run's URLs, in input order. */
function inInputOrder(...parts) {
    return parts.flat().sort(byOrder);
}
/** The URLs beyond the quota, skipped. */
function skippedForQuota(overQuota, quota) {
    return overQuota.map((item) => ({
        url: item.url,
        status: 'skipped',
        reason: `quota: the daily prefetch quota had ${quota} URLs left`,
        skip: 'quota',
        source: item.source,
        order: item.order,
    }));
}
/** The URLs within the quota when nothing was submitted: planned in a dry run, failed when the run stopped first. */
function unsentOutcomes(items, dryRun, stopped) {
    if (stopped && !dryRun)
        return failedOutcomes(items, notSentReason(stopped), stopped);
    return items.map((item) => ({ url: item.url, status: 'planned', source: item.source, order: item.order }));
}
/** Never sent, and why (`notSent`, which carry-over reads). */
function failedOutcomes(items, reason, notSent) {
    return items.map((item) => ({
        url: item.url,
        status: 'failed',
        reason,
        notSent,
        source: item.source,
        order: item.order,
    }));
}
/**
 * Gives each outcome from the sitemap diff its `change` and lastmods, and each from site-dir its
 * `change`, `chromeOnly` and `carriedSince` (report rows of urls / urls-file get none).
 */
function withChanges(outcomes, changes) {
    if (changes.size === 0)
        return outcomes;
    const format = lastFormatted();
    return outcomes.map((outcome) => {
        const entry = changes.get(outcome.order);
        if (entry === undefined)
            return outcome;
        if (!('lastmod' in entry)) {
            return {
                ...outcome,
                change: entry.change,
                ...(entry.chromeOnly ? { chromeOnly: true } : {}),
                ...(entry.carriedSince !== undefined ? { carriedSince: entry.carriedSince } : {}),
            };
        }
        return {
            ...outcome,
            change: entry.change,
            ...(Number.isNaN(entry.lastmod) ? {} : { lastmod: format(entry.lastmod) }),
            ...(entry.change === 'modified' && !Number.isNaN(entry.previousLastmod)
                ? { previousLastmod: format(entry.previousLastmod) }
                : {}),
        };
    });
}
/** formatLastmod, remembering its last answer: a build stamp gives thousands of URLs the same lastmod. */
function lastFormatted() {
    let last = NaN;
    let text = '';
    return (ms) => {
        if (ms !== last) {
            last = ms;
            text = formatLastmod(ms);
        }
        return text;
    };
}
function byOrder(a, b) {
    return a.order - b.order;
}
function distinctTaskIds(outcomes) {
    const ids = new Set();
    for (const outcome of outcomes)
        for (const id of splitTaskIds(outcome.taskId ?? ''))
            ids.add(id);
    return [...ids];
}
/** A refusal's message with what to check, for the step's failure. */
function fatalText(error) {
    return `${error.message}. ${adviceFor(error)}`;
}

;// CONCATENATED MODULE: ./src/runtime/rate-limiter.ts
/**
 * Keeps calls under N per second *as the server counts them*. The server stamps a call when it
 * arrives, which is some time between our send and its answer; a call sent on a fresh connection
 * arrives later than one on a reused connection. So a call holds its slot from send until one window
 * after its answer: then no one-second window at the server can hold more than N calls, whatever the
 * network did in between.
 */
class RateLimiter {
    limit;
    windowMs;
    now;
    inFlight = 0;
    /** Answer times of finished calls that still count, oldest first. */
    recent = [];
    waiters = [];
    wakeTimer;
    constructor(limit, windowMs = 1000, now = () => performance.now()) {
        this.limit = limit;
        this.windowMs = windowMs;
        this.now = now;
        if (!Number.isInteger(limit) || limit < 1)
            throw new Error(`rate limit must be a whole number >= 1, not ${limit}`);
    }
    /** Waits for a free slot, in arrival order. */
    async acquire(signal) {
        if (this.waiters.length === 0 && this.tryTake())
            return this.slot();
        await new Promise((resolve, reject) => {
            const onAbort = () => {
                const index = this.waiters.indexOf(wake);
                if (index >= 0)
                    this.waiters.splice(index, 1);
                reject(signal?.reason ?? new Error('aborted'));
            };
            const wake = () => {
                signal?.removeEventListener('abort', onAbort);
                resolve();
            };
            if (signal?.aborted)
                return onAbort();
            signal?.addEventListener('abort', onAbort, { once: true });
            this.waiters.push(wake);
            this.pump();
        });
        return this.slot();
    }
    slot() {
        let released = false;
        return {
            release: () => {
                if (released)
                    return;
                released = true;
                this.inFlight--;
                this.recent.push(this.now());
                this.pump();
            },
        };
    }
    tryTake() {
        this.prune();
        if (this.inFlight + this.recent.length >= this.limit)
            return false;
        this.inFlight++;
        return true;
    }
    prune() {
        const horizon = this.now() - this.windowMs;
        while (this.recent.length > 0 && (this.recent[0] ?? 0) <= horizon)
            this.recent.shift();
    }
    /** Hands free slots to waiters, and sets a timer for when the oldest counted answer expires. */
    pump() {
        while (this.waiters.length > 0 && this.tryTake())
            this.waiters.shift()?.();
        if (this.waiters.length === 0 || this.wakeTimer !== undefined || this.recent.length === 0)
            return;
        const delay = Math.max(1, (this.recent[0] ?? 0) + this.windowMs - this.now() + 1);
        this.wakeTimer = setTimeout(() => {
            this.wakeTimer = undefined;
            this.pump();
        }, delay);
    }
}

;// CONCATENATED MODULE: ./src/runtime/gate.ts
/**
 * One gate for every call the run makes: the account-wide rate (requests-per-second, at most 50),
 * plus the lower per-API rates Alibaba publishes for the read-only calls.
 */

const PER_ACTION_LIMITS = {
    DescribeRefreshQuota: 20,
    DescribeRefreshTaskById: 30,
    DescribeRefreshTasks: 5,
};
function createCallGate(requestsPerSecond, now) {
    const overall = new RateLimiter(requestsPerSecond, 1000, now);
    const perAction = new Map(Object.entries(PER_ACTION_LIMITS).map(([action, limit]) => [action, new RateLimiter(limit, 1000, now)]));
    return {
        async acquire(action, signal) {
            const own = await perAction.get(action)?.acquire(signal);
            try {
                const shared = await overall.acquire(signal);
                return {
                    release() {
                        shared.release();
                        own?.release();
                    },
                };
            }
            catch (error) {
                own?.release();
                throw error;
            }
        },
    };
}

;// CONCATENATED MODULE: ./src/base/logger.ts
/** Forwards to `logger`, also keeping its notices and warnings in `notes` (for the job summary). */
function notingLogger(logger, notes) {
    return {
        info: (message) => logger.info(message),
        debug: (message) => logger.debug(message),
        warning: (message) => {
            notes.push({ level: 'warning', message });
            logger.warning(message);
        },
        notice: (message) => {
            notes.push({ level: 'notice', message });
            logger.notice(message);
        },
        group: (title, fn) => logger.group(title, fn),
    };
}

;// CONCATENATED MODULE: ./src/sitemap/errors.ts
/**
 * The sitemap's documents (the deployed sitemap, the baseline, a child of an index) that could not be
 * used. Callers act on the class: not found (a missing baseline counts every URL as added), an HTML page
 * in its place (counts as not found), or unreadable (`transient` when another try may help).
 */
/** The document does not exist: no such file, HTTP 404/410, or no such path at the git ref. */
class DocumentNotFoundError extends Error {
    constructor(message) {
        super(message);
        this.name = 'DocumentNotFoundError';
    }
}
/**
 * An HTML page where a sitemap was expected (a `<html>` root, or a `text/html` answer that is not a
 * sitemap). Hosts answer a missing file with 200 and a page, so it counts as not found.
 */
class HtmlPageError extends DocumentNotFoundError {
    constructor(message) {
        super(message);
        this.name = 'HtmlPageError';
    }
}
/**
 * A document that may exist but could not be read. `transient` when another try may succeed: an
 * HTTP 5xx, 408 or 429, no answer at all (reset, refused, DNS), or a timeout.
 */
class DocumentReadError extends Error {
    transient;
    constructor(message, transient, options) {
        super(message, options);
        this.transient = transient;
        this.name = 'DocumentReadError';
    }
}

;// CONCATENATED MODULE: ./src/sitemap/locate.ts
/**
 * Turns inputs and `<sitemap><loc>` URLs into places to read documents from. The rule that matters:
 * a deployed index may fall back to the live site, a baseline index never does (the live site
 * already serves the new version, so reading it would hide every change).
 */


/** A workspace path or an http(s) URL, as given in an input. */
function locateInput(input, workspace, inputName) {
    const value = input.trim();
    if (value === '')
        throw new ConfigError(`${inputName}: is empty`);
    if (/^https?:\/\//i.test(value)) {
        try {
            return { kind: 'url', url: new URL(value).href, label: value };
        }
        catch {
            throw new ConfigError(`${inputName}: "${value}" is not a valid URL`);
        }
    }
    if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value)) {
        throw new ConfigError(`${inputName}: "${value}" is neither a workspace path nor an http(s) URL`);
    }
    // Named as given: an absolute path stays absolute, rather than `../../../` from the workspace.
    return { kind: 'file', path: external_node_path_namespaceObject.resolve(workspace, value), label: value };
}
/** The same workspace file as `sitemap`, as committed at `ref`. */
function locateAtRef(sitemapInput, workspace, ref, github) {
    const value = sitemapInput.trim();
    if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value)) {
        throw new ConfigError('previous-ref: reads the sitemap file from the repository, so sitemap must be a workspace path, ' +
            `not a URL ("${value}"); use previous-sitemap for a URL baseline`);
    }
    const relative = toPosix(external_node_path_namespaceObject.relative(workspace, external_node_path_namespaceObject.resolve(workspace, value)));
    if (relative === '' || relative.startsWith('../') || relative === '..' || external_node_path_namespaceObject.isAbsolute(relative)) {
        throw new ConfigError(`previous-ref: sitemap "${value}" is not a file inside the workspace`);
    }
    return { kind: 'ref', file: { path: relative, ref, github }, label: `${relative} at ${ref}` };
}
/**
 * Where to look for a child listed in an index, in order. For a workspace (or git-ref) index the
 * child's URL path is taken under the index's folder (`https://example.com/sitemaps/1.xml` ->
 * `public/sitemaps/1.xml` for `public/sitemap.xml`); when the site lives under a base path
 * (`/docs/sitemap-0.xml` on GitHub Pages) the leading segments are dropped one by one. A deployed
 * local index then falls back to fetching the URL itself; a baseline never reads the live site.
 */
function childCandidates(parent, childUrl, side) {
    const url = new URL(childUrl);
    if (parent.kind === 'url') {
        if (side === 'deployed')
            return [{ kind: 'url', url: url.href, label: url.href }];
        return suffixes(url.pathname.split('/').slice(1)).map((suffix) => {
            // `./` so that a first segment such as `a:b` is not read as a scheme.
            const sibling = new URL(`./${suffix}${url.search}`, parent.url).href;
            return { kind: 'url', url: sibling, label: sibling };
        });
    }
    // A file cannot stand for one query of many (`sitemap_products_1.xml?from=1&to=9`).
    const segments = url.search === '' ? decodedSegments(url.pathname) : undefined;
    const local = [];
    for (const suffix of segments === undefined ? [] : suffixes(segments)) {
        if (parent.kind === 'file') {
            const file = external_node_path_namespaceObject.join(external_node_path_namespaceObject.dirname(parent.path), ...suffix.split('/'));
            local.push({
                kind: 'file',
                path: file,
                label: external_node_path_namespaceObject.posix.join(external_node_path_namespaceObject.posix.dirname(parent.label), suffix),
            });
        }
        else {
            const repoPath = external_node_path_namespaceObject.posix.join(external_node_path_namespaceObject.posix.dirname(parent.file.path), suffix);
            local.push({
                kind: 'ref',
                file: { ...parent.file, path: repoPath },
                label: `${repoPath} at ${parent.file.ref}`,
            });
        }
    }
    if (side === 'deployed' && parent.kind === 'file')
        local.push({ kind: 'url', url: url.href, label: url.href });
    return local;
}
/** `a/b/c` -> `a/b/c`, `b/c`, `c`. */
function suffixes(segments) {
    return segments.map((_, i) => segments.slice(i).join('/')).filter((suffix) => suffix !== '');
}
/** Decoded path segments, or undefined when they cannot name a file safely inside the folder. */
function decodedSegments(pathname) {
    const segments = [];
    for (const raw of pathname.split('/').slice(1)) {
        let segment;
        try {
            segment = decodeURIComponent(raw);
        }
        catch {
            return undefined;
        }
        // Decoding can produce "..", "/" or "\": a URL must never lead outside the index's folder.
        if (segment === '' || segment === '.' || segment === '..' || /[/\\\0]/.test(segment))
            return undefined;
        segments.push(segment);
    }
    return segments.length === 0 ? undefined : segments;
}
function toPosix(p) {
    return p.split(external_node_path_namespaceObject.sep).join('/');
}

;// CONCATENATED MODULE: ./src/sitemap/parse.ts
/**
 * Streaming sitemap parser on saxes: a real, strict XML parser (comments, CDATA, entities and
 * well-formedness are handled by it), driven by a small state machine that only keeps the text of
 * the elements we need. Memory does not grow with the document.
 *
 * Namespaces are resolved here rather than by saxes (xmlns: true): saxes builds a namespace record
 * for every attribute and tag, which cost more than the rest of our per-URL work. Resolution only
 * needs the declarations in scope, and they almost always sit on the root element.
 */


/** Namespaces `<urlset>`, `<url>`, `<loc>`… may live in. Elements are matched on local name and namespace. */
const SITEMAP_NAMESPACES = new Set([
    'http://www.sitemaps.org/schemas/sitemap/0.9',
    'https://www.sitemaps.org/schemas/sitemap/0.9',
    // Google's pre-2006 namespaces, still emitted by old generators.
    'http://www.google.com/schemas/sitemap/0.84',
    'http://www.google.com/schemas/sitemap/0.9',
    // No namespace at all: invalid per the protocol, but common in hand-written sitemaps.
    '',
]);
const IMAGE_NAMESPACES = new Set([
    'http://www.google.com/schemas/sitemap-image/1.1',
    'https://www.google.com/schemas/sitemap-image/1.1',
]);
// Roles of open elements. Everything we do not know is OTHER, and so is all that it contains.
var Role;
(function (Role) {
    Role[Role["OTHER"] = 0] = "OTHER";
    Role[Role["URLSET"] = 1] = "URLSET";
    Role[Role["INDEX"] = 2] = "INDEX";
    Role[Role["URL"] = 3] = "URL";
    Role[Role["SITEMAP"] = 4] = "SITEMAP";
    Role[Role["IMAGE"] = 5] = "IMAGE";
    Role[Role["LOC"] = 6] = "LOC";
    Role[Role["LASTMOD"] = 7] = "LASTMOD";
    Role[Role["PRIORITY"] = 8] = "PRIORITY";
    Role[Role["IMAGE_LOC"] = 9] = "IMAGE_LOC";
})(Role || (Role = {}));
// An entity name longer than this is a raw "&" that swallowed the rest of the document.
const LONGEST_ENTITY_NAME = 64;
const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
const ROOT_SCOPE = {
    defaultNs: '',
    prefixes: Object.assign(Object.create(null), { xml: XML_NAMESPACE }),
};
/** Push-style parser: write() text chunks as they arrive, then close(). Errors are thrown. */
class SitemapParser {
    options;
    handlers;
    sax;
    roles = [];
    /** The namespace scope of the innermost open element. */
    scope = ROOT_SCOPE;
    /** Scopes to restore, and the depth at which each was replaced (few: declarations sit on the root). */
    outerScopes = [];
    /** `prefix, uri` pairs declared by the attributes of the tag being opened. */
    declarations;
    /** Prefixed attribute names of the tag being opened, to check their prefixes. */
    prefixedAttributes;
    onText = (text) => this.addText(text);
    // childRole() asks whether the same namespace string is the sitemap's, tag after tag.
    lastUri = '\0';
    lastUriIsSitemap = false;
    text = '';
    local = '';
    uri = '';
    entry = {
        loc: undefined,
        lastmod: undefined,
        priority: undefined,
        images: undefined,
    };
    childLoc;
    started = false;
    rootKind;
    // Where the element being captured opened, for the raw-"&" hint.
    captureLine = 0;
    captureColumn = 0;
    constructor(options, handlers) {
        this.options = options;
        this.handlers = handlers;
        this.sax = new saxes/* SaxesParser */.wT({ xmlns: false, fileName: options.label });
        this.sax.on('error', (error) => {
            throw new Error(error.message + this.hint(error.message));
        });
        this.sax.on('doctype', (doctype) => {
            // The DOCTYPE itself is ignored (never fetched); an HTML page is worth naming.
            if (/^\s*html\b/i.test(doctype))
                throw htmlPage(options.label);
        });
        this.sax.on('attribute', ({ name, value }) => this.attribute(name, value));
        this.sax.on('opentag', (tag) => this.openElement(tag));
        this.sax.on('closetag', () => this.closeElement());
        // The text handler is only set inside an element we keep (see openElement()): saxes then neither slices
        // nor reports the whitespace between elements or the text of elements we ignore.
        this.sax.on('cdata', this.onText);
    }
    /** `urlset` or `sitemapindex`, once the root element has been seen. */
    get kind() {
        return this.rootKind;
    }
    write(chunk) {
        if (!this.started) {
            // Whitespace before the XML declaration is not XML, but some servers add it; skip it.
            chunk = chunk.replace(/^\s+/, '');
            if (chunk === '')
                return;
            this.started = true;
            // An HTML page is rarely well-formed XML (`<!doctype html>`, `<meta>` never closed): name it
            // before the XML parser fails on it.
            if (/^<!doctype\s+html\b|^<html[\s>]/i.test(chunk))
                throw htmlPage(this.options.label);
        }
        this.sax.write(chunk);
        if (pendingEntity(this.sax).length > LONGEST_ENTITY_NAME) {
            throw new Error(`${this.options.label}: ${this.rawAmpersandHint()}`);
        }
    }
    close() {
        if (!this.started)
            throw new Error(`${this.options.label}: is empty`);
        if (pendingEntity(this.sax) !== '')
            throw new Error(`${this.options.label}: ${this.rawAmpersandHint()}`);
        try {
            this.sax.close();
        }
        catch (error) {
            // Errors at the end of the input mean the document stopped early.
            const reason = error.message;
            if (this.rootKind !== undefined && /unclosed tag|unexpected end/.test(reason)) {
                throw new Error(`${this.options.label}: is truncated: <${this.rootKind}> never closes (${reason})`, {
                    cause: error,
                });
            }
            throw error;
        }
    }
    openElement(tag) {
        const depth = this.roles.length;
        this.enterScope(depth);
        this.resolve(tag.name, this.scope);
        const { local, uri } = this;
        const parent = depth === 0 ? undefined : this.roles[depth - 1];
        let role = Role.OTHER;
        if (parent === undefined) {
            role = this.rootRole(tag.name, local, uri);
        }
        else if (parent !== Role.OTHER) {
            role = this.childRole(parent, local, uri);
            if (role === Role.URL) {
                const entry = this.entry;
                entry.loc = entry.lastmod = entry.priority = undefined;
                entry.images = undefined;
            }
            else if (role === Role.SITEMAP) {
                this.childLoc = undefined;
            }
            else if (role >= Role.LOC) {
                this.text = '';
                this.captureLine = this.sax.line;
                this.captureColumn = this.sax.column;
                this.sax.on('text', this.onText);
            }
        }
        this.roles.push(role);
    }
    attribute(name, value) {
        if (name === 'xmlns')
            (this.declarations ??= []).push('', value.trim());
        else if (name.startsWith('xmlns:'))
            (this.declarations ??= []).push(name.slice(6), value.trim());
        else if (name.includes(':'))
            (this.prefixedAttributes ??= []).push(name);
    }
    /** Enters the tag being opened: a new scope when its attributes declare namespaces. */
    enterScope(depth) {
        const declarations = this.declarations;
        if (declarations !== undefined) {
            const inherited = this.scope;
            const scope = {
                defaultNs: inherited.defaultNs,
                prefixes: Object.create(inherited.prefixes),
            };
            for (let i = 0; i < declarations.length; i += 2) {
                if (declarations[i] === '')
                    scope.defaultNs = declarations[i + 1];
                else
                    scope.prefixes[declarations[i]] = declarations[i + 1];
            }
            this.outerScopes.push({ depth, scope: inherited });
            this.scope = scope;
            this.declarations = undefined;
        }
        if (this.prefixedAttributes !== undefined) {
            // Attribute prefixes must be bound too, as a namespace-aware parser requires.
            for (const name of this.prefixedAttributes)
                this.resolve(name, this.scope);
            this.prefixedAttributes = undefined;
        }
    }
    /** Sets `local` and `uri` for a qualified name (fields, not a returned object: this runs per tag). */
    resolve(qname, scope) {
        const colon = qname.indexOf(':');
        if (colon === -1) {
            this.local = qname;
            this.uri = scope.defaultNs;
            return;
        }
        const prefix = qname.slice(0, colon);
        const uri = scope.prefixes[prefix];
        if (uri === undefined || uri === '')
            this.sax.fail(`unbound namespace prefix: "${prefix}".`);
        this.local = qname.slice(colon + 1);
        this.uri = uri ?? '';
    }
    childRole(parent, local, uri) {
        if (uri !== this.lastUri) {
            this.lastUri = uri;
            this.lastUriIsSitemap = SITEMAP_NAMESPACES.has(uri);
        }
        const inSitemapNs = this.lastUriIsSitemap;
        switch (parent) {
            case Role.URLSET:
                return inSitemapNs && local === 'url' ? Role.URL : Role.OTHER;
            case Role.INDEX:
                return inSitemapNs && local === 'sitemap' ? Role.SITEMAP : Role.OTHER;
            case Role.URL:
                if (inSitemapNs) {
                    if (local === 'loc')
                        return Role.LOC;
                    if (local === 'lastmod')
                        return Role.LASTMOD;
                    if (local === 'priority')
                        return Role.PRIORITY;
                    return Role.OTHER;
                }
                return this.options.images && local === 'image' && IMAGE_NAMESPACES.has(uri)
                    ? Role.IMAGE
                    : Role.OTHER;
            case Role.SITEMAP:
                return inSitemapNs && local === 'loc' ? Role.LOC : Role.OTHER;
            case Role.IMAGE:
                return local === 'loc' && IMAGE_NAMESPACES.has(uri) ? Role.IMAGE_LOC : Role.OTHER;
            default:
                return Role.OTHER;
        }
    }
    rootRole(name, local, uri) {
        if (local.toLowerCase() === 'html')
            throw htmlPage(this.options.label);
        if (SITEMAP_NAMESPACES.has(uri)) {
            if (local === 'urlset') {
                this.rootKind = 'urlset';
                return Role.URLSET;
            }
            if (local === 'sitemapindex') {
                this.rootKind = 'sitemapindex';
                return Role.INDEX;
            }
        }
        const ns = uri === '' ? '' : ` in namespace ${uri}`;
        throw new Error(`${this.options.label}: is not a sitemap: its root element is <${name}>${ns}, not <urlset> or <sitemapindex>`);
    }
    closeElement() {
        const role = this.roles.pop();
        const depth = this.roles.length;
        const outer = this.outerScopes[this.outerScopes.length - 1];
        if (outer !== undefined && outer.depth === depth)
            this.scope = this.outerScopes.pop().scope;
        if (role !== undefined && role >= Role.LOC)
            this.sax.off('text');
        const parent = this.roles[this.roles.length - 1];
        const entry = this.entry;
        switch (role) {
            case Role.URL:
                this.handlers.url(entry);
                break;
            case Role.SITEMAP:
                this.handlers.child(this.childLoc);
                break;
            case Role.LOC:
                if (parent === Role.URL)
                    entry.loc ??= this.text;
                else if (parent === Role.SITEMAP)
                    this.childLoc ??= this.text;
                break;
            case Role.LASTMOD:
                entry.lastmod ??= this.text;
                break;
            case Role.PRIORITY:
                entry.priority ??= this.text;
                break;
            case Role.IMAGE_LOC:
                (entry.images ??= []).push(this.text);
                break;
            default:
                break;
        }
    }
    addText(text) {
        const role = this.roles[this.roles.length - 1];
        if (role !== undefined && role >= Role.LOC)
            this.text += text;
    }
    hint(message) {
        if (/undefined entity/.test(message)) {
            return ' (only &amp; &lt; &gt; &quot; &apos; and numeric references are understood; entities declared in a DTD are not read)';
        }
        if (/unbound namespace prefix/.test(message)) {
            return ' (declare the prefix on the root element, e.g. xmlns:image="http://www.google.com/schemas/sitemap-image/1.1")';
        }
        return '';
    }
    rawAmpersandHint() {
        const where = this.roles.length > 0 && this.roles[this.roles.length - 1] >= Role.LOC
            ? ` in the element opened at line ${this.captureLine}, column ${this.captureColumn}`
            : '';
        return `a raw "&"${where} never ends as an entity; write it as &amp; (saxes would report this as an unclosed tag)`;
    }
}
function htmlPage(label) {
    return new HtmlPageError(`${label}: is an HTML page, not a sitemap`);
}
/**
 * The entity name saxes is collecting. After a raw "&" it collects until the next ";" — often the
 * rest of the document — and only reports "unclosed tag" at the very end. saxes has no public
 * accessor for it; if a future version renames the field this returns "" and only the hint is lost.
 */
function pendingEntity(sax) {
    const entity = sax.entity;
    return typeof entity === 'string' ? entity : '';
}
/** Parses a whole document from text chunks; returns its kind. */
async function parse_parseDocument(chunks, options, handlers) {
    const parser = new SitemapParser(options, handlers);
    for await (const chunk of chunks)
        parser.write(chunk);
    parser.close();
    // close() succeeded, so a root element was seen and it was a sitemap root.
    return parser.kind;
}

;// CONCATENATED MODULE: external "node:stream"
const external_node_stream_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");
;// CONCATENATED MODULE: external "node:zlib"
const external_node_zlib_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");
;// CONCATENATED MODULE: ./src/http/download.ts
/**
 * Remote sitemap requests. Redirects are followed by hand (redirect: 'manual') so that the hop cap
 * and the http(s)-only check apply at every hop, not just the first. The per-request timeout and the
 * stop signal are httpFetch's, which cover the body too and close the socket of a body given up.
 */



const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** GET `url`, following at most `maxRedirects` redirects; returns the first non-redirect response, any status. */
async function getFollowingRedirects(url, options) {
    let current = checkScheme(url, options.label);
    let headers = options.headers ?? {};
    for (let hop = 0;; hop++) {
        let response;
        try {
            response = await httpFetch(current, {
                method: 'GET',
                headers,
                redirect: 'manual',
                // We decode Content-Encoding ourselves so that the decompressed-size cap applies to it.
                compress: false,
                timeoutMs: options.timeoutMs,
                ...(options.signal ? { signal: options.signal } : {}),
            });
        }
        catch (error) {
            // NetworkError names the origin; say which document it was.
            throw new Error(`${options.label}: ${error.message}`, { cause: error });
        }
        if (!REDIRECT_STATUSES.has(response.status))
            return { response, timeoutMs: options.timeoutMs };
        discard(response);
        const location = response.headers.get('location');
        if (location === null || location === '') {
            throw new Error(`${options.label}: HTTP ${response.status} redirect without a Location header`);
        }
        if (hop >= options.maxRedirects) {
            throw new Error(`${options.label}: more than ${options.maxRedirects} redirects (the limit)`);
        }
        const next = checkScheme(resolveLocation(location, current), options.label);
        // Never hand the token to another host.
        if (new URL(next).origin !== new URL(current).origin)
            headers = withoutAuthorization(headers);
        current = next;
    }
}
/**
 * The body as chunks, failing cleanly once more than `maxBytes` arrived, the request's time is up or
 * the run stops. Leaving the loop early (error or break) closes the connection.
 */
async function* bodyChunks(opened, options) {
    const { response } = opened;
    const declared = Number(response.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > options.maxBytes) {
        discard(response);
        throw new Error(`${options.label}: is ${formatBytes(declared)}, more than the ${formatBytes(options.maxBytes)} download limit`);
    }
    let total = 0;
    const chunks = readChunks(response);
    try {
        for await (const chunk of chunks) {
            total += chunk.length;
            if (total > options.maxBytes) {
                throw new Error(`${options.label}: more than the ${formatBytes(options.maxBytes)} download limit`);
            }
            yield chunk;
        }
    }
    catch (error) {
        if (!(error instanceof NetworkError))
            throw error;
        if (error.timedOut) {
            const limit = `${opened.timeoutMs / 1000} s per request`;
            throw new Error(`${options.label}: timed out while downloading (limit ${limit})`, { cause: error });
        }
        if (options.signal?.aborted) {
            const reason = options.signal.reason instanceof Error ? ` (${options.signal.reason.message})` : '';
            throw new Error(`${options.label}: not read to the end, the run is stopping${reason}`, {
                cause: error,
            });
        }
        throw new Error(`${options.label}: ${error.message}`, { cause: error });
    }
    finally {
        await chunks.return(undefined);
    }
}
function formatBytes(bytes) {
    const mib = bytes / (1024 * 1024);
    return mib >= 1 ? `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB` : `${bytes} bytes`;
}
function checkScheme(url, label) {
    let protocol;
    try {
        protocol = new URL(url).protocol;
    }
    catch {
        throw new Error(`${label}: ${JSON.stringify(url)} is not a valid URL`);
    }
    if (protocol !== 'http:' && protocol !== 'https:') {
        throw new Error(`${label}: ${url} is not an http(s) URL; only http and https are fetched`);
    }
    return url;
}
function resolveLocation(location, base) {
    try {
        return new URL(location, base).href;
    }
    catch {
        return location; // checkScheme reports it
    }
}
function withoutAuthorization(headers) {
    return Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'authorization'));
}

;// CONCATENATED MODULE: ./src/sitemap/git-baseline.ts
/**
 * previous-ref: the baseline is the sitemap file as committed at a git ref, read through the GitHub
 * contents API so that a shallow checkout (the default) works. The raw media type is used because
 * the JSON form carries no content for files above 1 MB.
 */




/** The SHA GitHub gives for "no commit" (`github.event.before` when a branch is created). */
const NULL_SHA = /^0{40}$/;
function contentsUrl(file) {
    const { apiUrl, owner, repo } = file.github;
    const path = file.path.split('/').map(encodeURIComponent).join('/');
    return (`${apiUrl.replace(/\/+$/, '')}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}` +
        `/contents/${path}?ref=${encodeURIComponent(file.ref)}`);
}
/**
 * Requests the raw file. The all-zero SHA, 404 and 422 (no such commit) become DocumentNotFoundError
 * (no baseline); 401/403 a ConfigError (the token cannot read the repository: the step must fail,
 * not quietly prefetch everything); any other status a DocumentReadError, transient for 5xx, 408 and 429.
 */
async function openAtRef(file, options) {
    if (NULL_SHA.test(file.ref)) {
        // github.event.before on a branch's first push: there is no commit before it, so nothing to ask.
        throw new DocumentNotFoundError(`${options.label} does not exist: previous-ref is the all-zero SHA, which GitHub gives as ` +
            "github.event.before on a branch's first push");
    }
    const opened = await getFollowingRedirects(contentsUrl(file), {
        ...options,
        headers: {
            Accept: 'application/vnd.github.raw',
            Authorization: `Bearer ${file.github.token}`,
            'X-GitHub-Api-Version': '2022-11-28',
            'User-Agent': 'cdn-prefetch',
        },
    });
    const { response } = opened;
    if (response.ok)
        return opened;
    const detail = await gitHubMessage(response);
    if (response.status === 404) {
        throw new DocumentNotFoundError(`${options.label} does not exist (is the file committed at that ref, and is the ref in the repository?)`);
    }
    if (response.status === 422) {
        // GitHub's answer for a commit it does not have, like github.event.before after a force-push.
        throw new DocumentNotFoundError(`${options.label}: GitHub does not know the ref${detail}`);
    }
    if (response.status === 401 || response.status === 403) {
        const rateLimited = response.headers.get('x-ratelimit-remaining') === '0' ? ' (API rate limit exhausted)' : '';
        throw new ConfigError(`previous-ref: GitHub answered HTTP ${response.status}${rateLimited} reading ${options.label}${detail}. ` +
            'Pass a token that can read this repository in github-token, and give the job `permissions: contents: read`.');
    }
    throw new DocumentReadError(`${options.label}: GitHub answered HTTP ${response.status}${detail}`, isTransientStatus(response.status));
}
/** HTTP statuses worth another try: the server is overloaded, restarting or asks us to slow down. */
function isTransientStatus(status) {
    return status >= 500 || status === 408 || status === 429;
}
/** GitHub's JSON error `message`, if the body has one, as `: message`. */
async function gitHubMessage(response) {
    try {
        const text = (await readText(response)).slice(0, 2000);
        const message = JSON.parse(text).message;
        return typeof message === 'string' && message !== '' ? `: ${message.slice(0, 200)}` : '';
    }
    catch {
        return '';
    }
    finally {
        discard(response);
    }
}

;// CONCATENATED MODULE: ./src/sitemap/document.ts
/**
 * Opens one sitemap document — a workspace file, an http(s) URL, or a file at a git ref — as a
 * stream of text, with the same caps everywhere: a sitemap is untrusted input even when it is a
 * local file produced by the build.
 */







const MiB = 1024 * 1024;
const DEFAULT_LIMITS = {
    timeoutMs: 30_000,
    maxRedirects: 5,
    maxBytes: 50 * MiB,
    maxDecompressedBytes: 200 * MiB,
    maxDepth: 3,
    maxChildren: 50_000,
};
/** A stable identity for cycle detection. */
function locationKey(location) {
    switch (location.kind) {
        case 'file':
            return `file:${location.path}`;
        case 'url':
            return `url:${location.url}`;
        case 'ref':
            return `ref:${location.file.ref}:${location.file.path}`;
    }
}
/**
 * The document's text, decompressed when its first bytes are the gzip magic (never judged by the
 * name: `.xml` files are served gzipped and `.gz` files plain) and decoded as UTF-8 (a BOM is
 * dropped). Throws DocumentNotFoundError when it does not exist, DocumentReadError when it could
 * not be fetched (transient or not), Error with the reason otherwise.
 */
async function* readDocumentText(location, options, meta = {}) {
    const bytes = await documentBytes(location, options, meta);
    yield* decodeUtf8(sniffGzip(bytes, location.label, options.limits.maxDecompressedBytes), location.label);
}
/** The document's bytes, with an HTTP Content-Encoding already undone. */
async function documentBytes(location, options, meta) {
    const { limits, signal } = options;
    if (location.kind === 'file')
        return fileBytes(location.path, location.label, limits.maxBytes);
    const request = {
        label: location.label,
        timeoutMs: limits.timeoutMs,
        maxRedirects: limits.maxRedirects,
        signal,
    };
    let opened;
    try {
        opened =
            location.kind === 'ref'
                ? await openAtRef(location.file, request)
                : await openUrl(location.url, request);
    }
    catch (error) {
        throw noAnswer(error, signal);
    }
    const type = (opened.response.headers.get('content-type') ?? '').toLowerCase();
    if (/^\s*text\/html\b/.test(type))
        meta.html = true;
    const encoded = contentEncoding(opened, location.label) === 'gzip';
    const chunks = transientBody(bodyChunks(opened, { label: location.label, maxBytes: limits.maxBytes, signal }), signal);
    return encoded ? gunzip(chunks, location.label, limits.maxDecompressedBytes) : chunks;
}
/** A request that got no answer (refused, reset, DNS, timeout) may get one next time. */
function noAnswer(error, signal) {
    if (signal?.aborted === true || !hasCause(error, NetworkError))
        return error;
    return new DocumentReadError(error.message, true, { cause: error });
}
/**
 * The body's chunks; a connection that drops or a download that runs out of time half-way is
 * transient. (A size cap is not: it has neither a system error code nor a passed deadline.)
 */
async function* transientBody(chunks, signal) {
    try {
        yield* chunks;
    }
    catch (error) {
        if (signal?.aborted === true)
            throw error;
        // A reset or a timeout reaches here as a NetworkError in the cause chain (http/download.ts).
        if (systemErrorCode(error) !== undefined || hasCause(error, NetworkError)) {
            throw new DocumentReadError(error.message, true, { cause: error });
        }
        throw error;
    }
}
function hasCause(error, type) {
    for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
        if (current instanceof type)
            return true;
        current = current.cause;
    }
    return false;
}
async function openUrl(url, request) {
    const opened = await getFollowingRedirects(url, {
        ...request,
        headers: { 'Accept-Encoding': 'gzip', 'User-Agent': 'cdn-prefetch' },
    });
    const { status } = opened.response;
    if (status === 404 || status === 410) {
        discard(opened.response);
        throw new DocumentNotFoundError(`${request.label}: HTTP ${status} (not found)`);
    }
    if (!opened.response.ok) {
        discard(opened.response);
        throw new DocumentReadError(`${request.label}: HTTP ${status} ${opened.response.statusText}`.trimEnd(), isTransientStatus(status));
    }
    return opened;
}
function contentEncoding(opened, label) {
    const value = (opened.response.headers.get('content-encoding') ?? '').trim().toLowerCase();
    if (value === '' || value === 'identity')
        return undefined;
    if (value === 'gzip' || value === 'x-gzip')
        return 'gzip';
    discard(opened.response);
    throw new Error(`${label}: the server sent Content-Encoding "${value}", which is not supported (gzip is)`);
}
async function fileBytes(path, label, maxBytes) {
    let size;
    try {
        const stat = await external_node_fs_namespaceObject.promises.stat(path);
        if (stat.isDirectory())
            throw new Error(`${label}: is a directory, not a sitemap file`);
        size = stat.size;
    }
    catch (error) {
        const code = systemErrorCode(error);
        if (code === 'ENOENT' || code === 'ENOTDIR')
            throw new DocumentNotFoundError(`${label}: no such file`);
        if (code !== undefined)
            throw new DocumentReadError(`${label}: cannot be read (${code})`, false);
        throw error;
    }
    if (size > maxBytes) {
        throw new Error(`${label}: is ${formatBytes(size)}, more than the ${formatBytes(maxBytes)} limit per sitemap document`);
    }
    return capped((0,external_node_fs_namespaceObject.createReadStream)(path, { highWaterMark: 256 * 1024 }), maxBytes, () => {
        return `${label}: more than the ${formatBytes(maxBytes)} limit per sitemap document`;
    });
}
/** Passes chunks through, failing once their total exceeds `max`. */
async function* capped(source, max, message) {
    let total = 0;
    for await (const chunk of source) {
        total += chunk.length;
        if (total > max)
            throw new Error(message());
        yield chunk;
    }
}
/** Gunzips when the stream starts with 1f 8b; passes it through otherwise. */
async function* sniffGzip(source, label, maxOut) {
    const iterator = source[Symbol.asyncIterator]();
    let head = Buffer.alloc(0);
    while (head.length < 2) {
        const next = await iterator.next();
        if (next.done === true)
            break;
        head = head.length === 0 ? next.value : Buffer.concat([head, next.value]);
    }
    const all = (async function* () {
        // Inside the try: a reader that stops at the first chunk (a parser failing on an HTML page)
        // must still close the source, or its socket and its download timer keep the process alive.
        try {
            if (head.length > 0)
                yield head;
            for (;;) {
                const next = await iterator.next();
                if (next.done === true)
                    return;
                yield next.value;
            }
        }
        finally {
            await iterator.return?.();
        }
    })();
    yield* head[0] === 0x1f && head[1] === 0x8b ? gunzip(all, label, maxOut) : all;
}
/** Streaming gunzip that stops at `maxOut` decompressed bytes (a bomb fails here, memory stays flat). */
async function* gunzip(source, label, maxOut) {
    // Inflating runs in the thread pool: let it work up to 1 MiB ahead of the parser. (zlib streams
    // take Transform options, which ZlibOptions does not list.)
    const options = { chunkSize: 64 * 1024, highWaterMark: 1024 * 1024 };
    const inflater = (0,external_node_zlib_namespaceObject.createGunzip)(options);
    // pipeline forwards an error of the source (a download cap, a timeout) to the inflater, so the
    // loop below sees it; leaving the loop early tears the source down in turn.
    (0,external_node_stream_namespaceObject.pipeline)(external_node_stream_namespaceObject.Readable.from(source, { objectMode: false }), inflater, () => undefined);
    const limitMessage = `${label}: more than ${formatBytes(maxOut)} once decompressed, the limit per sitemap document`;
    let total = 0;
    try {
        for await (const chunk of inflater) {
            total += chunk.length;
            if (total > maxOut)
                throw new Error(limitMessage);
            yield chunk;
        }
    }
    catch (error) {
        const code = error.code;
        if (typeof code === 'string' && code.startsWith('Z_')) {
            throw new Error(`${label}: the gzip data is corrupt or truncated (${error.message})`, {
                cause: error,
            });
        }
        throw error;
    }
    finally {
        inflater.destroy();
    }
}
/** UTF-8 text chunks; a byte sequence that is not UTF-8 is an error, never silently replaced. */
async function* decodeUtf8(source, label) {
    // fatal: a replacement character in a URL would send (and compare) a URL that does not exist.
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let offset = 0;
    const decode = (chunk) => {
        try {
            return chunk === undefined ? decoder.decode() : decoder.decode(chunk, { stream: true });
        }
        catch {
            throw new Error(`${label}: is not valid UTF-8 (somewhere after byte ${offset}); a sitemap must be UTF-8`);
        }
    };
    for await (const chunk of source) {
        const text = decode(chunk);
        offset += chunk.length;
        if (text !== '')
            yield text;
    }
    const rest = decode();
    if (rest !== '')
        yield rest;
}

;// CONCATENATED MODULE: ./src/sitemap/load.ts
/**
 * Reads a whole sitemap — a urlset, or an index and its children, depth first so that URLs keep
 * document order — normalizing every `<loc>` and handing each URL to a sink: a SitemapSet for the
 * baseline, the streaming diff for the deployed side.
 */








const EXAMPLES = 3;
/** A `<loc>` longer than this is kept cut: its row says why it failed, not all of it. */
const MAX_KEPT = 2048;
/** Loads `root` and, for an index, its children. Errors reading `root` itself always propagate. */
async function loadSitemap(root, options, sink) {
    const stats = {
        documents: 0,
        invalidLocs: { count: 0, examples: [] },
        invalidValues: [],
        emptyLocs: 0,
        invalidLastmods: { count: 0, examples: [] },
    };
    const walk = { options, sink, stats, visited: new Set(), children: 0, childCapWarned: false };
    await loadDocument(root, 0, walk);
    return stats;
}
async function loadDocument(location, depth, walk) {
    const { options } = walk;
    walk.visited.add(locationKey(location));
    const { kind, urls, children } = await readWithRetries(walk, () => readOnce(location, walk));
    walk.stats.documents++;
    if (kind === 'urlset') {
        options.logger.debug(`${location.label}: ${urls} URLs`);
        return;
    }
    options.logger.debug(`${location.label}: sitemap index with ${children.length} children`);
    if (children.length === 0)
        return;
    if (depth >= options.limits.maxDepth) {
        options.logger.warning(`${location.label}: sitemap index nested ${depth} levels deep; its ${children.length} children are not read (limit ${options.limits.maxDepth})`);
        return;
    }
    for (const child of children) {
        if (walk.children >= options.limits.maxChildren) {
            if (!walk.childCapWarned) {
                options.logger.warning(`${location.label}: more than ${options.limits.maxChildren} sitemap index children; the rest are not read`);
                walk.childCapWarned = true;
            }
            return;
        }
        walk.children++;
        await loadChild(location, child, depth + 1, walk);
    }
}
/** Parses one document into the sink; on failure takes back everything it added. */
async function readOnce(location, walk) {
    const { sink, stats, options } = walk;
    const mark = sink.mark?.();
    const rejectedBefore = [stats.invalidLocs.count, stats.invalidLastmods.count];
    const valuesBefore = stats.invalidValues.length;
    const emptyBefore = stats.emptyLocs;
    const children = [];
    const meta = {};
    let urls = 0;
    try {
        const kind = await parse_parseDocument(readDocumentText(location, options, meta), { label: location.label, images: options.images }, {
            url: (entry) => {
                urls++;
                addEntry(entry, location, walk);
            },
            child: (loc) => addChild(loc, children, location, walk),
        });
        return { kind, urls, children };
    }
    catch (error) {
        // A document that fails half-way must not leave half of its URLs behind.
        if (mark !== undefined)
            sink.rollback?.(mark);
        truncate(stats.invalidLocs, rejectedBefore[0]);
        truncate(stats.invalidLastmods, rejectedBefore[1]);
        stats.invalidValues.length = valuesBefore;
        stats.emptyLocs = emptyBefore;
        throw asHtmlPage(error, meta, location);
    }
}
/** A `text/html` answer that is not a sitemap is a page standing in for a missing file. */
function asHtmlPage(error, meta, location) {
    if (meta.html !== true || error instanceof DocumentReadError || error instanceof ConfigError)
        return error;
    if (error instanceof DocumentNotFoundError)
        return error;
    return new HtmlPageError(`${location.label}: is an HTML page (text/html), not a sitemap`);
}
/**
 * Runs `read` again after a transient failure, as API calls are retried: exponential backoff with
 * jitter, within the policy's attempts and overall time, and never once the run is stopping.
 */
async function readWithRetries(walk, read) {
    const { options } = walk;
    const policy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
    const started = Date.now();
    for (let attempt = 1;; attempt++) {
        try {
            return await read();
        }
        catch (error) {
            if (!(error instanceof DocumentReadError) || !error.transient || stopping(options))
                throw error;
            const attempts = load_timedOut(error)
                ? Math.min(policy.maxAttempts, ATTEMPTS_AFTER_TIMEOUT)
                : policy.maxAttempts;
            const delay = retryDelay(attempt, attempts, started, policy);
            if (delay === undefined) {
                if (attempt === 1)
                    throw error;
                throw new DocumentReadError(`${error.message} (${attempt} attempts)`, true, { cause: error });
            }
            options.logger.info(`  ${error.message}; retry ${attempt} in ${(delay / 1000).toFixed(1)} s`);
            await sleep(delay, options.signal);
            if (stopping(options))
                throw error;
        }
    }
}
/**
 * A try that ran out of time has already waited a whole request-timeout, and a server that stalls
 * once tends to stall again: such a document gets three tries in all, not the API calls' eight.
 */
const ATTEMPTS_AFTER_TIMEOUT = 3;
function load_timedOut(error) {
    for (let current = error, depth = 0; current instanceof Error && depth < 6; depth++) {
        if (current instanceof NetworkError && current.timedOut)
            return true;
        current = current.cause;
    }
    return false;
}
function stopping(options) {
    return options.signal?.aborted === true;
}
/** The pause before retry number `attempt`, with RetryPolicy's bounds; undefined when none is left. */
function retryDelay(attempt, maxAttempts, startedAt, policy) {
    if (attempt >= maxAttempts)
        return undefined;
    const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
    const delay = Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
    return Date.now() - startedAt + delay > policy.maxElapsedMs ? undefined : delay;
}
/** Tries the child's candidate locations in order; a missing candidate moves on to the next. */
async function loadChild(parent, childUrl, depth, walk) {
    const { options } = walk;
    const all = childCandidates(parent, childUrl, options.side);
    // The child's own place (the first candidate) already read is a loop; a shorter path that
    // happens to name a document already read (often the index itself) is just not it.
    const candidates = all.filter((candidate) => !walk.visited.has(locationKey(candidate)));
    if (all.length > 0 && (candidates.length === 0 || candidates[0] !== all[0])) {
        options.logger.warning(`${parent.label} lists ${childUrl}, which was already read (a loop); skipped`);
        return;
    }
    for (const candidate of candidates) {
        try {
            await loadDocument(candidate, depth, walk);
            return;
        }
        catch (error) {
            if (error instanceof DocumentNotFoundError)
                continue;
            // A baseline child that exists but cannot be read leaves the baseline unreadable as a whole:
            // counting its URLs as new would spend the quota on a guess.
            throw error;
        }
    }
    const looked = candidates.length === 0 ? 'nothing to read' : `looked at ${candidates.map((c) => c.label).join(', ')}`;
    if (options.side === 'deployed') {
        throw new Error(`${parent.label} lists ${childUrl}, which cannot be found (${looked})`);
    }
    options.logger.warning(`Baseline ${parent.label} lists ${childUrl}, which is missing (${looked}); its URLs count as new.`);
}
function addChild(loc, children, location, walk) {
    if (loc === undefined || isBlank(loc)) {
        walk.stats.emptyLocs++;
        return;
    }
    const child = normalizeUrl(loc, walk.options.baseUrl);
    if (child.ok)
        children.push(child.url);
    else
        invalid(loc, child.reason, location, walk);
}
function addEntry(entry, location, walk) {
    const { options, stats } = walk;
    const { loc } = entry;
    if (loc === undefined || isBlank(loc)) {
        stats.emptyLocs++;
        return;
    }
    let url = loc;
    if (options.known?.orderOf(loc) === undefined) {
        const result = normalizeUrl(loc, options.baseUrl);
        if (!result.ok) {
            invalid(loc, result.reason, location, walk);
            return;
        }
        url = result.url;
    }
    let lastmod = NaN;
    if (entry.lastmod !== undefined) {
        lastmod = parseLastmod(entry.lastmod);
        if (Number.isNaN(lastmod) && entry.lastmod.trim() !== '') {
            reject(stats.invalidLastmods, `"${shorten(entry.lastmod)}" (of ${url})`);
        }
    }
    const images = options.images && entry.images !== undefined ? imageUrls(entry.images, location, walk) : undefined;
    walk.sink.add(url, lastmod, parsePriority(entry.priority), images);
}
function imageUrls(images, location, walk) {
    const urls = [];
    for (const image of images) {
        const result = normalizeUrl(image, walk.options.baseUrl);
        if (result.ok)
            urls.push(result.url);
        else if (isBlank(image))
            walk.stats.emptyLocs++;
        else
            invalid(image, result.reason, location, walk, 'image ');
    }
    return urls;
}
/** Empty or whitespace only; runs once per URL, so it does not trim a URL that starts with a letter. */
function isBlank(text) {
    return text.length === 0 || (text.charCodeAt(0) <= 0x20 && text.trim() === '');
}
/** Counts an unusable `<loc>` for the warning and, on the deployed side, keeps it for its report row. */
function invalid(loc, reason, location, walk, what = '') {
    reject(walk.stats.invalidLocs, `${what}"${shorten(loc)}" ${reason}`);
    if (walk.options.side !== 'deployed')
        return;
    const value = loc.trim();
    walk.stats.invalidValues.push({
        value: value.length > MAX_KEPT ? `${value.slice(0, MAX_KEPT)}…` : value,
        reason,
        document: location.label,
    });
}
/** `<priority>` 0.0-1.0; absent or unusable means the protocol's default, 0.5. */
function parsePriority(raw) {
    if (raw === undefined)
        return 0.5;
    // A sitemap uses a handful of priority values over and over.
    if (raw === lastPriority.raw)
        return lastPriority.value;
    const text = raw.trim();
    const value = Number(text);
    lastPriority.raw = raw;
    lastPriority.value = text !== '' && value >= 0 && value <= 1 ? value : 0.5;
    return lastPriority.value;
}
const lastPriority = { raw: '', value: 0.5 };
function reject(rejects, example) {
    rejects.count++;
    if (rejects.examples.length < EXAMPLES)
        rejects.examples.push(example);
}
/** Forgets the rejects after the first `count` (examples are kept in arrival order). */
function truncate(rejects, count) {
    rejects.count = count;
    rejects.examples.length = Math.min(rejects.examples.length, count);
}
function shorten(s) {
    const trimmed = s.trim();
    return trimmed.length > 100 ? `${trimmed.slice(0, 97)}...` : trimmed;
}

;// CONCATENATED MODULE: ./src/sitemap/deployed.ts
/**
 * The deployed side of a sitemap, read for whichever use (the diff, save-sitemap, site-dir's
 * priorities): any failure to read it is fatal, and names `sitemap`.
 */




/** The deployed side: any failure is fatal, and names `sitemap`. */
async function loadDeployed(root, options, limits, logger, sink) {
    const started = Date.now();
    let stats;
    try {
        stats = await loadSitemap(root, { ...options, side: 'deployed', limits, logger }, sink);
    }
    catch (error) {
        throw deployedFailure(error, root, options);
    }
    logger.info(`Read sitemap ${root.label}: ${stats.documents} documents in ${Date.now() - started} ms.`);
    warnRejects(stats, 'sitemap', logger);
    return stats;
}
/**
 * Why the deployed sitemap cannot be used. Only its author can fix a missing or broken sitemap: a
 * configuration error. A server that kept failing (5xx, no answer, a timeout) is not one.
 */
function deployedFailure(error, root, options) {
    if (error instanceof ConfigError || options.signal?.aborted === true)
        return error;
    const message = errorMessage(error);
    if (error instanceof DocumentReadError && error.transient) {
        return new Error(`Cannot read sitemap: ${message}`, { cause: error });
    }
    if (error instanceof HtmlPageError) {
        return new ConfigError(`sitemap: ${message}; a host answers a missing file with 200 and a page: check the sitemap's URL`, 'sitemap');
    }
    if (error instanceof DocumentNotFoundError) {
        const hint = root.kind !== 'file'
            ? ''
            : external_node_path_namespaceObject.isAbsolute(root.label)
                ? '; did the build run before this step?'
                : `; a path is relative to the workspace (${options.workspace}): did the build run before this step?`;
        return new ConfigError(`sitemap: ${message}${hint}`, 'sitemap');
    }
    return new ConfigError(`sitemap: cannot be used: ${message}`, 'sitemap');
}
/** One warning per kind of unusable value; the baseline's unusable locs are only an info line. */
function warnRejects(stats, side, logger) {
    const examples = (rejects) => rejects.examples.join('; ') + (rejects.count > rejects.examples.length ? '; …' : '');
    if (stats.invalidLocs.count > 0) {
        // A baseline's unusable locs change nothing: no deployed URL can match them.
        if (side === 'sitemap') {
            logger.warning(`sitemap: ${stats.invalidLocs.count} <loc> values are not usable URLs; each is reported as failed: ${examples(stats.invalidLocs)}`);
        }
        else {
            logger.info(`baseline: ${stats.invalidLocs.count} <loc> values are not usable URLs and were left out: ${examples(stats.invalidLocs)}`);
        }
    }
    if (stats.emptyLocs > 0) {
        (side === 'sitemap' ? logger.warning : logger.info).call(logger, `${side}: ${stats.emptyLocs === 1 ? '1 entry has' : `${stats.emptyLocs} entries have`} an empty or no <loc>, ` +
            'so there is nothing to prefetch or report for them.');
    }
    if (stats.invalidLastmods.count > 0) {
        logger.warning(`${side}: ${stats.invalidLastmods.count} <lastmod> values are not W3C datetimes and were ignored ` +
            `(those URLs cannot count as modified): ${examples(stats.invalidLastmods)}`);
    }
}

;// CONCATENATED MODULE: ./src/sitemap/save.ts
/**
 * save-sitemap: one flat `<urlset>` with every URL and lastmod of the deployed sitemap (children
 * included), to serve as the next run's previous-sitemap. URLs are written normalized and lastmods
 * in a form that reads back as the same instant, so an unchanged site diffs as unchanged.
 */











const HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n';
const TAIL = '</urlset>\n';
/**
 * Writes the baseline for `save-sitemap` (`given` as the user wrote it, `file` resolved); a path that
 * cannot be written is a configuration error naming the input and the path.
 */
async function saveBaselineFile(file, given, set) {
    try {
        await writeUrlset(file, set);
    }
    catch (error) {
        const code = systemErrorCode(error);
        if (code === undefined)
            throw error;
        throw new ConfigError(`save-sitemap: cannot write "${given}": ${whyNotWritten(code)}`, 'save-sitemap');
    }
}
function whyNotWritten(code) {
    switch (code) {
        case 'EEXIST':
        case 'ENOTDIR':
            return 'a folder on its path is a file; choose a path whose folders are folders';
        case 'EISDIR':
            return 'it is a folder; name a file';
        case 'EACCES':
        case 'EPERM':
            return 'permission denied';
        case 'EROFS':
            return 'the file system is read-only';
        case 'ENOSPC':
            return 'no space left on the device';
        default:
            return code;
    }
}
/**
 * Writes `set` (or an empty urlset) to `file`, through a temporary file and a rename so that an
 * interrupted run never leaves a truncated baseline behind.
 */
async function writeUrlset(file, set) {
    await external_node_fs_namespaceObject.promises.mkdir(external_node_path_namespaceObject.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    const out = (0,external_node_fs_namespaceObject.createWriteStream)(temporary, { encoding: 'utf8' });
    try {
        let buffer = HEAD;
        for (const [url, lastmod] of set?.entries() ?? []) {
            buffer += urlElement(url, lastmod);
            if (buffer.length >= 64 * 1024) {
                if (!out.write(buffer))
                    await (0,external_node_events_namespaceObject.once)(out, 'drain');
                buffer = '';
            }
        }
        out.end(buffer + TAIL);
        await (0,external_node_events_namespaceObject.once)(out, 'finish');
    }
    catch (error) {
        out.destroy();
        await external_node_fs_namespaceObject.promises.rm(temporary, { force: true });
        throw error;
    }
    await external_node_fs_namespaceObject.promises.rename(temporary, file);
}
function urlElement(url, lastmod) {
    const loc = `<url><loc>${escapeXml(url)}</loc>`;
    return Number.isNaN(lastmod)
        ? `${loc}</url>\n`
        : `${loc}<lastmod>${formatLastmod(lastmod)}</lastmod></url>\n`;
}
/** Text content escaping: `&` and `<` must be escaped, `>` is for `]]>`. */
function escapeXml(text) {
    return text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}
/**
 * save-sitemap on its own: writes every URL and lastmod of `sitemap` (children followed) as one
 * flat urlset. A site with no sitemap yet (or an HTML page in its place) gets an empty urlset; any
 * other failure throws, as for the deployed side of a diff.
 */
async function saveSitemapBaseline(options, logger) {
    const limits = { ...DEFAULT_LIMITS, ...options.limits };
    const root = locateInput(options.sitemap, options.workspace, 'sitemap');
    const file = external_node_path_namespaceObject.resolve(options.workspace, options.saveSitemap);
    let set = new SitemapSet();
    try {
        await loadSitemap(root, { ...options, images: false, side: 'deployed', limits, logger }, set);
    }
    catch (error) {
        if (!(error instanceof DocumentNotFoundError))
            throw deployedFailure(error, root, options);
        const why = `${error.message}: there is no sitemap yet, so ${options.saveSitemap} is an empty urlset.`;
        if (error instanceof HtmlPageError) {
            logger.warning(`sitemap: ${why} (A host answers a missing file with 200 and a page; check sitemap.)`);
        }
        else {
            logger.notice(why);
        }
        set = undefined;
    }
    await saveBaselineFile(file, options.saveSitemap, set);
    logger.info(`Saved ${set?.size ?? 0} URLs of ${root.label} to ${options.saveSitemap}.`);
    return { file, urls: set?.size ?? 0 };
}

;// CONCATENATED MODULE: ./src/sitemap/warnings.ts

/** Below this many modified URLs sharing one instant, "most of them" is not yet a pattern. */
const STAMP_MIN_SHARED = 10;
const SEE_BUILT_FILES = 'set site-dir and state to compare the built files instead of lastmods';
/** More than half of the deployed URLs are not comparable: edits to them cannot be seen. */
function notComparableWarning(counts) {
    if (counts.notComparable === 0 || counts.notComparable * 2 <= counts.deployed)
        return undefined;
    return (`${counts.notComparable} of the ${counts.deployed} deployed URLs are not comparable: they are in the ` +
        'baseline but the deployed sitemap gives them no <lastmod>, so an edit to them cannot be seen ' +
        `from this sitemap (only added URLs can). To prefetch what a deploy changed, ${SEE_BUILT_FILES}.`);
}
/**
 * The generator appears to write the build time into `<lastmod>`: most modified URLs share one
 * instant (more than half and at least 10, or all of them when there are several), every new
 * lastmod falls on one day with none left as it was, or nothing but lastmods differ between the
 * two sitemaps while more than half of the URLs they share moved.
 */
function buildStampWarning(counts, stats) {
    const evidence = stampEvidence(counts, stats);
    if (evidence === undefined)
        return undefined;
    return (`The sitemap's <lastmod> values look like build stamps: ${evidence}. The generator appears to ` +
        'write the build time, so every URL counts as modified and the quota is spent on pages that did ' +
        `not change. To prefetch only what changed, ${SEE_BUILT_FILES}, or set changes: added to take ` +
        'only new URLs.');
}
function stampEvidence(counts, stats) {
    const { modified } = counts;
    if (modified < 2)
        return undefined;
    const { topCount, topInstant } = stats;
    if (topCount === modified || (topCount * 2 > modified && topCount >= STAMP_MIN_SHARED)) {
        return `${topCount} of the ${modified} modified URLs share the lastmod ${formatLastmod(topInstant)}`;
    }
    if (stats.sameDay && counts.unchanged === 0) {
        const day = formatLastmod(topInstant).slice(0, 10);
        return `every <lastmod> of the ${modified} modified URLs moved to the same day, ${day}, and none stayed as it was`;
    }
    const shared = modified + counts.unchanged + counts.notComparable;
    if (counts.added === 0 && stats.removed === 0 && modified * 2 > shared) {
        return (`the baseline and the deployed sitemap differ only in lastmods (no URL added or removed), ` +
            `and ${modified} of their ${shared} URLs moved`);
    }
    return undefined;
}

;// CONCATENATED MODULE: ./src/sitemap/changes.ts
/**
 * Sitemap diff as a URL source: the URLs a deploy added or changed, read from the deployed sitemap
 * and compared with a baseline (a file, a URL, or the same file at a git ref), and the diff's part of
 * the run's result. The action maps its inputs onto these options; nothing here reads inputs or
 * imports @actions/core. (save-sitemap alone: save.ts; the priorities site-dir orders by: priorities.ts.)
 */












/** The result's part for a sitemap diff that was read. */
function sitemapResult(sitemap) {
    return {
        counts: sitemap.counts,
        baseline: sitemap.baseline,
        ...(sitemap.baselineProblem ? { baselineProblem: sitemap.baselineProblem } : {}),
        notes: sitemap.notes,
    };
}
/** The result's part for a sitemap that was not read, and why: all its counts are 0. */
function notReadSitemap(why) {
    return { counts: emptyDiffCounts(), baseline: undefined, notes: [], notRead: why };
}
/**
 * Reads the baseline and the deployed sitemap and returns what changed. A deployed sitemap that is
 * missing or cannot be used is a ConfigError (a transient failure, after its retries, an Error).
 * A missing baseline (or an HTML page in its place) is a notice or warning, after which every URL
 * counts as added; a baseline that exists but cannot be read selects nothing (a warning).
 */
async function sitemapChanges(options, logger) {
    const notes = [];
    const log = notingLogger(logger, notes);
    const limits = { ...DEFAULT_LIMITS, ...options.limits };
    const root = locateInput(options.sitemap, options.workspace, 'sitemap');
    const baselineAt = options.changes.all ? undefined : locateBaseline(options);
    // The baseline is read first: the deployed side is then diffed as it streams by.
    let baseline;
    if (options.changes.all) {
        log.info('changes: all — every URL of the sitemap is taken; no baseline is read.');
    }
    else if (baselineAt === undefined) {
        log.notice('No previous-sitemap or previous-ref is set: every URL of the sitemap counts as added (so none is refreshed ' +
            'first: with refresh: true every one is).');
    }
    else {
        baseline = await loadBaseline(baselineAt, options, limits, log);
    }
    const set = baseline?.set;
    const diff = new SitemapDiff(set, { ...options, baselineUnreadable: baseline?.problem === 'unreadable' });
    const saved = options.saveSitemap ? new SitemapSet() : undefined;
    const sink = saved === undefined
        ? diff
        : {
            add: (url, lastmod, priority, images) => (diff.add(url, lastmod, priority, images),
                saved.add(url, lastmod)),
        };
    const stats = await loadDeployed(root, { ...options, images: options.includeImages, known: set }, limits, log, sink);
    const { urls, changes, counts, lastmods } = diff.result();
    counts.invalid = stats.invalidValues.length;
    log.info(diffLine(counts, set !== undefined, options.includeImages, urls.length));
    if (set !== undefined) {
        for (const warning of [notComparableWarning(counts), buildStampWarning(counts, lastmods)]) {
            if (warning !== undefined)
                log.warning(warning);
        }
    }
    if (saved !== undefined && options.saveSitemap !== undefined) {
        await saveBaselineFile(external_node_path_namespaceObject.resolve(options.workspace, options.saveSitemap), options.saveSitemap, saved);
        log.info(`Saved ${saved.size} URLs of ${root.label} to ${options.saveSitemap}.`);
    }
    return {
        urls,
        changes,
        counts,
        baseline: set === undefined ? undefined : baselineAt?.label,
        ...(baseline?.problem !== undefined ? { baselineProblem: baseline.problem } : {}),
        invalid: stats.invalidValues,
        notes,
    };
}
function diffLine(counts, compared, images, selected) {
    const parts = [
        `${counts.added} added`,
        `${counts.modified} modified`,
        `${counts.unchanged} unchanged`,
        `${counts.notComparable} not comparable (no <lastmod>)`,
        ...(counts.unknown > 0 ? [`${counts.unknown} unknown (the baseline cannot be read)`] : []),
        `${counts.excluded} excluded`,
    ];
    return (`Sitemap: ${counts.deployed} URLs deployed${compared ? `, ${counts.baseline} in the baseline` : ''}: ` +
        parts.join(', ') +
        (counts.invalid > 0 ? `; ${counts.invalid} unusable <loc> values` : '') +
        `${images ? `; ${counts.images} image URLs` : ''}; ${selected} URLs selected.`);
}
function locateBaseline(options) {
    const { previousSitemap, previousRef } = options;
    const hasSitemap = previousSitemap !== undefined && previousSitemap.trim() !== '';
    const hasRef = previousRef !== undefined && previousRef.trim() !== '';
    if (hasSitemap && hasRef) {
        throw new ConfigError('previous-sitemap and previous-ref are both set: set one of them');
    }
    if (hasSitemap)
        return locateInput(previousSitemap, options.workspace, 'previous-sitemap');
    if (!hasRef)
        return undefined;
    if (options.github === undefined || options.github.token === '') {
        throw new ConfigError('previous-ref: needs github-token (the default, github.token, works)');
    }
    return locateAtRef(options.sitemap, options.workspace, previousRef.trim(), options.github);
}
/**
 * The baseline. Missing: a notice, every URL counts as added. An HTML page: the same, with a
 * warning naming the input. Unreadable (after the retries): a warning, and nothing is selected.
 * Only configuration errors and cancellation throw.
 */
async function loadBaseline(location, options, limits, logger) {
    const input = options.previousSitemap?.trim() ? 'previous-sitemap' : 'previous-ref';
    const set = new SitemapSet();
    try {
        const stats = await loadSitemap(location, {
            side: 'baseline',
            images: false,
            baseUrl: options.baseUrl,
            limits,
            retryPolicy: options.retryPolicy,
            signal: options.signal,
            logger,
        }, set);
        logger.info(`Read baseline ${location.label}: ${set.size} URLs in ${stats.documents} documents.`);
        warnRejects(stats, 'baseline', logger);
        return { set };
    }
    catch (error) {
        if (error instanceof ConfigError || options.signal?.aborted === true)
            throw error;
        const message = errorMessage(error);
        if (error instanceof HtmlPageError) {
            logger.warning(`${input}: ${message}; a host answers a missing file with 200 and a page, so it is taken as ` +
                `no baseline: every URL of the sitemap counts as added. Check that ${input} names a sitemap.`);
            return { problem: 'html' };
        }
        if (error instanceof DocumentNotFoundError) {
            logger.notice(`No baseline: ${message}. Every URL of the sitemap counts as added.`);
            return { problem: 'missing' };
        }
        logger.warning(`${input}: the baseline cannot be read: ${message}. Nothing from the sitemap is selected, so that ` +
            "the day's quota is not spent on a guess; run again once it can be read, or set changes: all " +
            'to prefetch every URL of the sitemap.');
        return { problem: 'unreadable' };
    }
}

;// CONCATENATED MODULE: ./src/urls/prepare.ts


const prepare_EXAMPLES = 3;
function prepareUrls(entries, options) {
    /** Normal form → the order of its first entry. */
    const seen = new Map();
    const candidates = [];
    const rejected = [];
    const changes = new Map();
    const invalidByReason = new Map();
    let duplicates = 0;
    for (const entry of entries) {
        const normalized = entry.invalid === undefined
            ? normalizeUrl(entry.raw, options.baseUrl)
            : { ok: false, reason: entry.invalid };
        const key = normalized.ok ? normalized.url : `invalid:${entry.raw}`;
        const first = seen.get(key);
        if (first !== undefined) {
            duplicates++;
            // A list entry that a site-dir or sitemap entry repeats: what changed about it still counts
            // (whether it is refreshed first depends on it).
            if (entry.change !== undefined && !changes.has(first))
                changes.set(first, entry.change);
            continue;
        }
        const order = seen.size + 1;
        seen.set(key, order);
        if (entry.change !== undefined)
            changes.set(order, entry.change);
        if (!normalized.ok) {
            const written = `${entry.source} "${prepare_shorten(visible(entry.raw))}"`;
            rejected.push({
                url: entry.raw,
                status: 'failed',
                reason: `${written} ${normalized.reason}`,
                source: entry.source,
                order,
            });
            const group = invalidByReason.get(normalized.reason) ?? { count: 0, examples: [] };
            group.count++;
            if (group.examples.length < prepare_EXAMPLES)
                group.examples.push(written);
            invalidByReason.set(normalized.reason, group);
        }
        else if (options.exclude?.match(normalized.url) !== undefined) {
            rejected.push({
                url: normalized.url,
                status: 'skipped',
                reason: `excluded by ${options.exclude.match(normalized.url)}`,
                skip: 'excluded',
                source: entry.source,
                order,
            });
        }
        else if (!isAllowedHost(normalized.host, options.domains)) {
            rejected.push({
                url: normalized.url,
                status: 'skipped',
                reason: `host ${normalized.host} is not in domains`,
                skip: 'domains',
                source: entry.source,
                order,
            });
        }
        else {
            candidates.push({ url: normalized.url, host: normalized.host, source: entry.source, order });
        }
    }
    return { candidates, rejected, duplicates, changes, invalidByReason };
}
/** An entry as a reason quotes it: whole up to a screenful, cut beyond. */
function prepare_shorten(raw) {
    return raw.length > 200 ? `${raw.slice(0, 197)}...` : raw;
}

;// CONCATENATED MODULE: ./src/sources/list.ts
/**
 * URL list sources: the `urls` input and the `urls-file` file share one format, one URL per line,
 * blank lines and `#` comments ignored.
 */


/** Splits list text into entries, keeping each entry's line number for error messages. */
function parseUrlList(text, sourceName) {
    const entries = [];
    text.split(/\r\n|\n|\r/).forEach((line, index) => {
        const raw = line.trim();
        if (raw === '' || raw.startsWith('#'))
            return;
        entries.push({ raw, source: `${sourceName}: line ${index + 1}` });
    });
    return entries;
}
/** Reads `urls-file`; a missing or unreadable file is a configuration error naming the path. */
async function readUrlFile(filePath, displayName) {
    let text;
    try {
        text = await (0,promises_namespaceObject.readFile)(filePath, 'utf8');
    }
    catch (error) {
        const code = error.code;
        const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : String(code ?? error);
        throw new ConfigError(`urls-file: cannot read "${displayName}" (${why}); the path is relative to the workspace (${filePath})`);
    }
    return parseUrlList(text.replace(/^\uFEFF/, ''), `urls-file ${displayName}`);
}

;// CONCATENATED MODULE: ./src/sources/gather.ts
/**
 * Every URL source of a run, in the order the quota is spent on them: the `urls` input, `urls-file`
 * (or standard input, from the CLI), then what the sitemap diff selected, then what `site-dir` and
 * `state` planned (this deploy's changes, then the carried URLs). With `site-dir` the sitemap is no
 * diff (it only gives the site's plan its priorities: see site.ts).
 */






/**
 * The run's gather phase: every source's entries (gatherEntries), then the URLs worth sending
 * (urls/prepare.ts), with one warning per kind of unusable entry.
 */
async function gatherUrls(config, logger, options = {}, site) {
    const gathered = await gatherEntries(config, logger, options, site);
    const urls = prepareUrls(gathered.entries, {
        baseUrl: config.baseUrl,
        domains: config.domains,
        exclude: config.exclude,
    });
    // One line per kind of mistake, not one per entry: a sitemap can hold thousands.
    for (const [reason, { count, examples }] of urls.invalidByReason) {
        const more = count > examples.length ? `; …and ${count - examples.length} more` : '';
        const entries = count === 1 ? '1 entry' : `${count} entries`;
        logger.warning(`${entries} failed, each ${reason} — ${examples.join('; ')}${more}`);
    }
    return { ...gathered, urls };
}
/** Every source's entries, in quota order, before normalization. */
async function gatherEntries(config, logger, options = {}, site) {
    const entries = parseUrlList(config.urlsText, 'urls');
    const lists = [{ name: 'urls', entries: entries.length }];
    if (config.urlsFile) {
        const fromFile = await readUrlFile(config.urlsFile, external_node_path_default().basename(config.urlsFile));
        lists.push({ name: 'urls-file', entries: fromFile.length });
        append(entries, fromFile);
    }
    if (config.cli?.urlsFileStdin !== undefined) {
        const fromStdin = parseUrlList(config.cli.urlsFileStdin, 'urls-file (standard input)');
        lists.push({ name: 'standard input', entries: fromStdin.length });
        append(entries, fromStdin);
    }
    const sitemap = config.sitemap && config.site?.siteDir === undefined
        ? await sitemapEntries(config, config.sitemap, logger, options, entries)
        : undefined;
    if (site !== undefined)
        append(entries, site.entries);
    return {
        entries,
        lists,
        ...(sitemap?.read ? { sitemap: sitemap.read } : {}),
        ...(sitemap?.failure ? { sitemapFailure: sitemap.failure } : {}),
        ...(site ? { site: { counts: site.counts, siteDir: site.siteDir, planned: site.entries.length } } : {}),
    };
}
/**
 * Appends what the sitemap diff selected, then its unusable `<loc>` values (each a failed URL). A
 * sitemap that cannot be read is returned as the failure: the other sources' entries are still reported.
 */
async function sitemapEntries(config, sitemapConfig, logger, options, entries) {
    let sitemap;
    try {
        sitemap = await logger.group('Sitemap diff', () => sitemapChanges(sitemapOptions(config, sitemapConfig, options), logger));
    }
    catch (error) {
        if (error instanceof ConfigError || !(error instanceof Error))
            throw error;
        return { failure: error };
    }
    for (let i = 0; i < sitemap.urls.length; i++) {
        entries.push({ raw: sitemap.urls[i], source: 'sitemap', change: sitemap.changes[i] });
    }
    for (const loc of sitemap.invalid) {
        entries.push({ raw: loc.value, source: `sitemap ${loc.document}`, invalid: loc.reason });
    }
    return { read: sitemap };
}
/** `push(...many)` overflows the call stack past ~100,000 items. */
function append(to, items) {
    for (const item of items)
        to.push(item);
}
/**
 * Why nothing is sent, when no source yielded a URL: each source's count, and for the sitemap what
 * the diff found, so that a redeploy with nothing new does not read as a mistake. A warning when
 * nothing was given at all; a notice when the sources had URLs but none was new or changed.
 */
function nothingToSend(gathered) {
    const lists = gathered.lists.map((list) => `${list.name} had ${list.entries} entries`);
    if (gathered.site !== undefined) {
        return { level: 'notice', message: `No URLs to prefetch: ${siteText(gathered.site)}. Nothing was sent.` };
    }
    const sitemap = gathered.sitemap;
    if (sitemap === undefined || sitemap.counts.deployed + sitemap.counts.invalid === 0) {
        const every = sitemap === undefined ? lists : [...lists, 'the sitemap had no URLs'];
        return {
            level: 'warning',
            message: `No URLs to prefetch: every source was empty (${every.join(', ')}). Nothing was sent.`,
        };
    }
    // Lists with entries always yield an outcome, so here they are all empty: only the sitemap speaks.
    return { level: 'notice', message: `No URLs to prefetch: ${sitemapText(sitemap)}. Nothing was sent.` };
}
/** A site (or a state alone) that planned nothing: what it held, so a redeploy with no change reads as one. */
function siteText(site) {
    const { counts } = site;
    const dropped = counts.carriedAged + counts.carriedGone + counts.carriedExcluded;
    const carried = dropped > 0 ? `nothing carried is left to warm (${dropped} dropped)` : 'nothing is carried';
    if (site.siteDir === undefined)
        return `the state has ${carried.replace('nothing is carried', 'no carried URLs')}`;
    const found = [
        `${counts.unchanged} unchanged`,
        counts.excluded ? `${counts.excluded} excluded` : '',
        counts.added ? `${counts.added} added but not selected by changes` : '',
        counts.modified ? `${counts.modified} modified but not selected by changes` : '',
    ].filter(Boolean);
    return `site-dir ${site.siteDir} has ${counts.files} files, none to warm (${found.join(', ')}), and ${carried}`;
}
function sitemapText(sitemap) {
    const { counts } = sitemap;
    const found = [
        counts.unchanged ? `${counts.unchanged} unchanged` : '',
        counts.notComparable ? `${counts.notComparable} not comparable (no <lastmod>)` : '',
        counts.excluded ? `${counts.excluded} excluded` : '',
        counts.added ? `${counts.added} added but not selected by changes` : '',
        counts.modified ? `${counts.modified} modified but not selected by changes` : '',
    ].filter(Boolean);
    const head = `the sitemap had ${counts.deployed} URLs`;
    if (sitemap.baselineProblem === 'unreadable') {
        return `${head}, none selected because the baseline could not be read`;
    }
    const none = counts.added || counts.modified
        ? 'none of the kinds changes selects'
        : 'none added or modified since the baseline';
    return `${head}, ${none}${found.length ? ` (${found.join(', ')})` : ''}`;
}
/** `save-sitemap`: writes the flat baseline and sends nothing. */
async function saveBaseline(config, logger, options = {}) {
    const sitemap = config.sitemap;
    if (!sitemap?.saveSitemap)
        return undefined;
    const saved = await saveSitemapBaseline({
        workspace: config.workspace,
        sitemap: sitemap.sitemap,
        saveSitemap: sitemap.saveSitemap,
        baseUrl: config.baseUrl,
        retryPolicy: options.retryPolicy,
        signal: options.signal,
        ...(config.requestTimeoutMs ? { limits: { timeoutMs: config.requestTimeoutMs } } : {}),
    }, logger);
    return { file: sitemap.saveSitemap, sitemap: sitemap.sitemap, urls: saved.urls };
}
function sitemapOptions(config, sitemap, options) {
    return {
        workspace: config.workspace,
        sitemap: sitemap.sitemap,
        previousSitemap: sitemap.previousSitemap,
        previousRef: sitemap.previousRef,
        github: sitemap.github,
        changes: sitemap.changes,
        includeImages: sitemap.includeImages,
        exclude: config.exclude,
        baseUrl: config.baseUrl,
        retryPolicy: options.retryPolicy,
        signal: options.signal,
        ...(config.requestTimeoutMs ? { limits: { timeoutMs: config.requestTimeoutMs } } : {}),
    };
}

;// CONCATENATED MODULE: ./src/sitemap/priorities.ts




/**
 * With `site-dir`, the sitemap is no diff: it says which URLs visitors ask for first. Returns every
 * normalized `<loc>` (the first occurrence) with its `<priority>` (0.5 when absent); `<lastmod>` is not
 * read for anything. A sitemap that cannot be read fails the run as the deployed side of a diff does.
 */
async function sitemapPriorities(options, logger) {
    const limits = { ...DEFAULT_LIMITS, ...options.limits };
    const root = locateInput(options.sitemap, options.workspace, 'sitemap');
    const priorities = new Map();
    const sink = {
        add: (url, _lastmod, priority) => {
            if (!priorities.has(url))
                priorities.set(ownCopy(url), priority);
        },
    };
    await loadDeployed(root, { ...options, images: false }, limits, logger, sink);
    logger.info(`Sitemap ${root.label}: ${priorities.size} URLs, for their priorities and URL forms (site-dir decides what changed).`);
    return priorities;
}

;// CONCATENATED MODULE: ./src/sources/site.ts
/**
 * `site-dir` + `state` as a URL source: the built site is hashed and compared with the state the last
 * run wrote, and what changed is planned, then the URLs earlier runs could not warm (the carried list).
 * With `state` alone no site is read: the carried list is drained.
 *
 * Two ends, which run.ts calls as phases: `openSite` before anything is sent (read the state, scan,
 * plan), and `closeSite` after, however sending ended — with a result (success, a refusal part-way, the
 * deadline, a cancel) or with an exception: it writes the next state, but never in a dry run.
 */






/**
 * Reads the state, scans site-dir (or, with `state` alone, takes the state's own files) and plans.
 * Undefined when neither `site-dir` nor `state` is set. Throws a ConfigError naming `site-dir` when it is
 * missing, not a folder or empty. A run stopped while scanning plans nothing and says so.
 */
async function openSite(config, logger, options = {}) {
    const site = config.site;
    if (site === undefined || (site.siteDir === undefined && site.state === undefined))
        return undefined;
    const notes = [];
    const log = notingLogger(logger, notes);
    const read = site.state === undefined ? undefined : await readState(statePath(config, site.state), site.state);
    try {
        const planned = site.siteDir === undefined
            ? drainOnly(read, config, log, options)
            : await planSite(site.siteDir, read, config, log, options);
        if (planned === undefined) {
            return { config: site, entries: [], read, keep: 'there is no usable state to drain', notes };
        }
        logSitePlan(planned.plan, site, logger);
        return { config: site, entries: entriesOf(planned.plan), planned, read, notes };
    }
    catch (error) {
        if (error instanceof ConfigError || options.signal?.aborted !== true)
            throw error;
        log.warning(`site-dir: not read: ${stopText(options.signal)}; the state is left as it was.`);
        return { config: site, entries: [], read, keep: 'the site was not read', notes };
    }
}
async function planSite(siteDir, read, config, log, options) {
    const site = config.site;
    const sitemap = config.sitemap && (await priorities(config, config.sitemap.sitemap, log, options));
    const scan = await scanSite({
        workspace: config.workspace,
        siteDir,
        baseUrl: config.baseUrl ?? '',
        contentIgnore: site.contentIgnore,
        state: site.state,
        previous: read?.kind === 'found' ? read.state.files : undefined,
        signal: options.signal,
    });
    // Without a state, readState's "missing" tells the plan so (a notice, every file added).
    const plan = planSiteChanges(scan, read ?? { kind: 'missing', label: '' }, {
        changes: site.changes,
        exclude: config.exclude,
        carryDays: site.carryDays,
        now: options.now ?? new Date(),
        sitemap,
    });
    if (site.state === undefined)
        plan.notices.length = 0; // no state asked for: nothing to say about one
    for (const notice of plan.notices)
        log.notice(notice);
    for (const warning of plan.warnings)
        log.warning(warning);
    return { scan, plan: withNormalUrls(plan) };
}
/**
 * The sitemap's priorities and URL forms. A sitemap that cannot be used (missing, not a sitemap) is a
 * configuration error, as for the diff; one that cannot be read now (a server failing, the run stopped)
 * only costs the order its priorities: a warning, and the site is planned without them.
 */
async function priorities(config, sitemap, log, options) {
    try {
        return await sitemapPriorities({
            workspace: config.workspace,
            sitemap,
            baseUrl: config.baseUrl,
            retryPolicy: options.retryPolicy,
            signal: options.signal,
            ...(config.requestTimeoutMs ? { limits: { timeoutMs: config.requestTimeoutMs } } : {}),
        }, log);
    }
    catch (error) {
        if (error instanceof ConfigError || options.signal?.aborted === true)
            throw error;
        log.warning(`sitemap: ${errorMessage(error)}; the files of site-dir are ordered without its priorities.`);
        return undefined;
    }
}
/**
 * `state` alone: the carried list of the state, without reading a site. The state's own files stand
 * for the site, so nothing is added or modified and no carried URL is "gone"; aged entries are dropped
 * as usual. Undefined, with a notice or warning, when there is no usable state.
 */
function drainOnly(read, config, log, options) {
    if (read === undefined || read.kind === 'missing') {
        log.notice(`state: there is no ${config.site?.state} yet, so there is nothing carried to warm (state alone reads no ` +
            'site-dir). A run with site-dir writes it.');
        return undefined;
    }
    if (read.kind === 'unusable') {
        log.warning(`state: ${read.label} cannot be used (${read.why}); with state alone (no site-dir) there is nothing to ` +
            'warm, and the file is left as it is: the next run with site-dir replaces it.');
        return undefined;
    }
    const scan = stateAsScan(read.state);
    const plan = planSiteChanges(scan, read, {
        changes: { added: true, modified: true, all: false }, // the state's files are all "unchanged"
        exclude: config.exclude,
        carryDays: config.site.carryDays,
        now: options.now ?? new Date(),
    });
    for (const notice of plan.notices)
        log.notice(notice);
    for (const warning of plan.warnings)
        log.warning(warning);
    return { scan, plan: withNormalUrls(plan) };
}
/** The state's files as a scan of the site they were hashed from. */
function stateAsScan(state) {
    const base = state.baseUrl;
    const files = [...state.files].map(([file, hashes]) => ({
        path: file,
        hashes,
        size: 0,
        get url() {
            return fileToUrl(base, file);
        },
    }));
    return { root: '', base, files, bytes: 0 };
}
/**
 * Site URLs are written in the normal form already (site/mapping.ts); should one ever not be, the
 * plan takes the form the run sends, so that the outcome of each is found again when the state is written.
 */
function withNormalUrls(plan) {
    for (const planned of plan.urls) {
        const normal = normalizeUrl(planned.url);
        if (normal.ok && normal.url !== planned.url)
            planned.url = normal.url;
    }
    return plan;
}
/** The plan as URL entries: each row says why it is there. */
function entriesOf(plan) {
    return plan.urls.map((planned) => ({
        raw: planned.url,
        source: planned.file === undefined ? 'state' : `site-dir: ${planned.file}`,
        change: {
            change: planned.change,
            chromeOnly: planned.chromeOnly,
            ...(planned.change === 'carried'
                ? {
                    carriedSince: planned.since,
                    firstChange: planned.firstChange,
                    ...(planned.refreshedAt === undefined ? {} : { refreshedAt: planned.refreshedAt }),
                }
                : {}),
        },
    }));
}
/** What the gather phase appends to the run's entries; undefined when the run stopped before site-dir was read. */
function plannedSite(site) {
    if (site.planned === undefined && site.config.siteDir !== undefined)
        return undefined;
    const counts = site.planned?.plan.counts ?? emptySiteCounts();
    return { entries: site.entries, counts, siteDir: site.config.siteDir };
}
function logSitePlan(plan, site, logger) {
    const { counts } = plan;
    const dropped = counts.carriedAged + counts.carriedGone + counts.carriedExcluded;
    const carried = `${counts.carriedIn} carried URLs in` +
        (dropped > 0
            ? ` (${dropped} dropped: ${counts.carriedAged} older than carry-days, ${counts.carriedGone} gone, ${counts.carriedExcluded} excluded)`
            : '') +
        (counts.carriedSuperseded > 0 ? `, ${counts.carriedSuperseded} changed again` : '');
    if (site.siteDir === undefined) {
        logger.info(`State ${site.state} (state alone, no site-dir): ${carried}; ${plan.urls.length} URLs planned.`);
        return;
    }
    logger.info(`Site ${site.siteDir}: ${counts.files} files: ${counts.added} added, ${counts.modified} modified ` +
        `(${counts.chromeOnly} of them chrome-only), ${counts.unchanged} unchanged, ${counts.excluded} excluded; ` +
        `${carried}; ${plan.urls.length} URLs planned.`);
}
/**
 * Builds the next state from every URL's outcome and writes it (not in a dry run); the site's part of
 * the result. After an exception nothing in the plan has a known outcome (`outcomes` is empty), so
 * each planned URL is carried as not sent.
 */
async function closeSite(site, config, run, options) {
    const log = notingLogger(options.logger, site.notes);
    const { planned } = site;
    const next = planned && site.config.state !== undefined
        ? nextState({
            ...planned,
            outcomes: run.outcomes,
            stopped: run.stopped,
            now: options.now?.() ?? new Date(),
        })
        : undefined;
    let written = false;
    if (next !== undefined) {
        for (const notice of next.notices)
            log.notice(notice);
        if (config.dryRun) {
            log.info(`state: not written (dry run); ${site.config.state} is left as it was.`);
        }
        else if (site.keep === undefined) {
            written = await write(statePath(config, site.config.state), site.config.state, next.state, log);
        }
    }
    return siteResult(site, next === undefined ? undefined : { carried: next.carried, leftCold: next.leftCold }, written);
}
async function write(file, label, state, log) {
    try {
        await writeState(file, state);
        log.info(`state: wrote ${label} (${state.files.size} files, ${state.carried.length} URLs carried).`);
        return true;
    }
    catch (error) {
        log.warning(`state: could not write ${label} (${errorMessage(error)}); it is left as it was, so the next run ` +
            'compares with the older state and does not know what this run carried.');
        return false;
    }
}
function siteResult(site, next, written) {
    const { config, planned, read } = site;
    return {
        ...(config.siteDir !== undefined ? { siteDir: config.siteDir } : {}),
        ...(config.state !== undefined ? { state: config.state } : {}),
        ...(read !== undefined ? { stateFound: stateFound(read, planned?.plan) } : {}),
        counts: planned?.plan.counts ?? emptySiteCounts(),
        planned: planned?.plan.urls.length ?? 0,
        ...(written && next !== undefined ? { carriedOut: next.carried } : {}),
        leftCold: next?.leftCold ?? 0,
        stateWritten: written,
        notes: site.notes,
    };
}
function stateFound(read, plan) {
    if (read.kind !== 'found')
        return read.kind;
    return plan === undefined || plan.hadState ? 'found' : 'other-base-url';
}
function statePath(config, state) {
    return external_node_path_default().resolve(config.workspace, state);
}
function stopText(signal) {
    const reason = signal?.reason instanceof Error ? signal.reason.message : String(signal?.reason);
    return reason === 'deadline' ? 'the run reached its timeout first' : 'the run was cancelled first';
}

;// CONCATENATED MODULE: ./src/submit/quota.ts



/**
 * PreloadRemain, or undefined when it cannot be known — the call is not permitted (a RAM policy
 * without cdn:DescribeRefreshQuota), keeps failing, or answers something that is not a whole number
 * of URLs: then the run goes on uncapped, with a warning. Credential errors throw.
 * Undefined at once, without a word, when `stop` ends the run (its retries and their pauses end too).
 */
async function readPreloadRemain(client, logger, retryPolicy, stop) {
    try {
        const { preloadRemain } = await withRetries(() => describeRefreshQuota(client), retryPolicy, stop ? { signal: stop } : {});
        if (preloadRemain.value === undefined) {
            // Never guessed at: "" is not 0 (it would skip everything), 10.7 is not 10.
            logger.warning(`daily-quota: DescribeRefreshQuota answered PreloadRemain ${preloadRemain.answered}, not a whole number ` +
                'of URLs; going on without a cap. Set daily-quota to a number to cap the run.');
            return undefined;
        }
        return preloadRemain.value;
    }
    catch (error) {
        if (stop?.aborted && !(error instanceof AlibabaError && isFatal(error.errorClass)))
            return undefined;
        if (error instanceof AlibabaError && error.errorClass === 'permission') {
            logger.warning(`daily-quota: cannot read the prefetch quota (${error.code}); going on without a cap. ` +
                'Grant cdn:DescribeRefreshQuota so that the run spends exactly what is left, or set daily-quota to a number.');
            return undefined;
        }
        if (error instanceof AlibabaError && !isFatal(error.errorClass)) {
            logger.warning(`daily-quota: cannot read the prefetch quota (${error.message}); going on without a cap.`);
            return undefined;
        }
        throw error;
    }
}

;// CONCATENATED MODULE: ./src/submit/ledger.ts

class SubmitLedger {
    onRecord;
    /** `onRecord` hears the number of URLs with an outcome so far, after every change: the progress. */
    constructor(onRecord) {
        this.onRecord = onRecord;
    }
    outcomes = [];
    requestIds = [];
    failedHosts = new Map();
    fatal;
    retries = 0;
    confirmedByLookup = 0;
    accept(items, taskIdOf, requestId, confirmation) {
        if (requestId)
            this.requestIds.push(requestId);
        if (confirmation === 'confirmed-by-lookup')
            this.confirmedByLookup += items.length;
        for (const item of items) {
            const taskId = taskIdOf(item.url);
            this.outcomes.push({
                url: item.url,
                status: 'submitted',
                ...(taskId ? { taskId } : { reason: 'accepted without a task ID' }),
                ...(requestId ? { requestId } : {}),
                ...(confirmation === 'confirmed-by-lookup' ? { confirmedByLookup: true } : {}),
                source: item.source,
                order: item.order,
            });
        }
        this.onRecord?.(this.outcomes.length);
    }
    /** Failed: refused by the API (`error`: its code and class are recorded), or for a reason of its own. */
    fail(items, reason, error) {
        this.record(items, reason, error ? refusal(error) : {});
    }
    /**
     * Failed, but the call may have been accepted: reported with `outcomeUnknown` (and a reason that
     * starts "outcome unknown"), never sent again.
     */
    failUnknown(items, reason, code) {
        this.record(items, `outcome unknown: ${reason}`, {
            ...(code ? { code } : {}),
            outcomeUnknown: true,
        });
    }
    /**
     * Never sent: the run stopped first (its deadline, a cancel) or a credential or permission error
     * (`cause`) stopped every call. `notSent` says which, for whoever acts on it (carry-over).
     */
    failNotSent(items, stopReason, cause) {
        if (items.length === 0)
            return;
        if (stopReason)
            return this.record(items, notSentReason(stopReason), { notSent: stopReason });
        const reason = cause ? `not sent: the run stopped at ${cause.code ?? 'an error'}` : 'not sent';
        this.record(items, reason, { notSent: 'stopped' });
    }
    /**
     * The run stopped while these URLs were still being retried. When every attempt so far was refused,
     * the reason names the last refusal ("deadline: refused with PreloadQueueFull until the run's
     * timeout"), not "not sent", and the refusal's class is recorded.
     */
    failStopped(items, stopReason, lastRefusal) {
        if (!lastRefusal)
            return this.record(items, notSentReason(stopReason), { notSent: stopReason });
        const until = stopReason === 'deadline' ? "until the run's timeout" : 'until the run was cancelled';
        const what = lastRefusal.code ? `refused with ${lastRefusal.code}` : `failed (${lastRefusal.message})`;
        this.fail(items, `${stopReason}: ${what} ${until}`, lastRefusal);
    }
    record(items, reason, fields) {
        for (const item of items) {
            this.outcomes.push({
                url: item.url,
                status: 'failed',
                reason,
                ...fields,
                source: item.source,
                order: item.order,
            });
        }
        this.onRecord?.(this.outcomes.length);
    }
    skipForQuota(items, remain) {
        const why = remain === undefined
            ? 'the daily prefetch quota is used up (QuotaExceeded)'
            : `the daily prefetch quota had ${remain} URLs left`;
        for (const item of items) {
            this.outcomes.push({
                url: item.url,
                status: 'skipped',
                reason: `quota: ${why}`,
                skip: 'quota',
                source: item.source,
                order: item.order,
            });
        }
        this.onRecord?.(this.outcomes.length);
    }
    result() {
        return {
            outcomes: this.outcomes,
            requestIds: this.requestIds,
            retries: this.retries,
            confirmedByLookup: this.confirmedByLookup,
            ...(this.fatal ? { fatal: this.fatal } : {}),
        };
    }
}
/** What a failed outcome records of the error that refused its call: the code, when there is one, and the class. */
function refusal(error) {
    return { ...(error.code ? { code: error.code } : {}), errorClass: error.errorClass };
}

;// CONCATENATED MODULE: ./src/submit/submitter.ts






/** How many times a QuotaExceeded refusal may trigger a re-read and a re-plan. */
const MAX_QUOTA_REPLANS = 3;
/**
 * Sends `options.batches`, recording every URL's outcome in `ledger`. A run that submits in several
 * rounds passes the same ledger to each: a credential or permission error of one stops the next.
 */
async function submitBatches(client, logger, options, ledger = new SubmitLedger()) {
    let batches = options.batches;
    for (let round = 0; batches.length > 0; round++) {
        const leftovers = await runRound(client, logger, options, batches, ledger);
        if (leftovers.length === 0)
            break;
        if (ledger.fatal || options.stop?.stopped) {
            ledger.failNotSent(leftovers, options.stop?.reason, ledger.fatal);
            break;
        }
        const remain = round < MAX_QUOTA_REPLANS ? await options.rereadQuota() : undefined;
        const repacked = packBatches(leftovers, options.batchSize, remain ?? 0);
        const more = repacked.batches.reduce((sum, batch) => sum + batch.items.length, 0);
        if (more > 0)
            logger.info(`Quota re-read: ${remain} URLs remain; sending ${more} more.`);
        ledger.skipForQuota(repacked.overQuota, remain);
        batches = repacked.batches;
    }
    return ledger.result();
}
/** Sends batches until done, stopped, or refused for quota; returns the URLs left for a re-plan. */
async function runRound(client, logger, options, batches, ledger) {
    const queue = [...batches];
    const leftovers = [];
    let quotaHit = false;
    const worker = async () => {
        for (let batch = queue.shift(); batch !== undefined; batch = queue.shift()) {
            if (ledger.fatal || quotaHit || options.stop?.stopped) {
                leftovers.push(...batch.items);
                continue;
            }
            const hostError = ledger.failedHosts.get(batch.host);
            if (hostError) {
                ledger.fail(batch.items, `not sent: ${batch.host} was refused with ${hostError.code}`, hostError);
                continue;
            }
            const failure = await sendBatch(client, logger, options, batch, ledger);
            if (failure === undefined)
                continue;
            if (failure.error.errorClass === 'quota') {
                quotaHit = true;
                leftovers.push(...failure.items);
            }
            else if (refusesSomeUrl(failure.error) && failure.items.length > 1) {
                // The call is refused as a whole for one URL the CDN dislikes: halve the batch until that URL
                // is alone, so that the others still go out. A refused call costs no quota.
                const half = Math.ceil(failure.items.length / 2);
                queue.unshift({ host: batch.host, items: failure.items.slice(0, half) }, { host: batch.host, items: failure.items.slice(half) });
                logger.info(`  ${batch.host}: ${failure.error.code}; splitting the ${failure.items.length} URLs to find the one refused`);
            }
            else {
                recordFailure(logger, batch.host, failure.items, failure.error, ledger);
            }
        }
    };
    const workers = Math.max(1, Math.min(options.concurrency, batches.length));
    await Promise.all(Array.from({ length: workers }, worker));
    if (quotaHit && !ledger.fatal && !options.stop?.stopped) {
        logger.warning('The daily prefetch quota ran out during the run (QuotaExceeded); re-reading the remainder.');
        return leftovers.sort((a, b) => a.order - b.order);
    }
    ledger.failNotSent(leftovers, options.stop?.reason, ledger.fatal);
    return [];
}
/**
 * One batch, with retries. A failure whose outcome is unknown is looked up first (over a window, see
 * confirm.ts), and only URLs shown not accepted are sent again. Returns the final error and the URLs
 * it applies to, or undefined when every URL has its outcome.
 */
async function sendBatch(client, logger, options, batch, ledger) {
    const { stop } = options;
    let pending = batch.items;
    const started = Date.now();
    /** The last failure of an attempt that went out: what the URLs are reported with if the run stops. */
    let lastFailure;
    for (let attempt = 1;; attempt++) {
        const sentAt = Date.now();
        let error;
        try {
            const result = await pushObjectCache(client, pending.map((item) => item.url), options.push);
            if (result.taskId === '') {
                // Accepted (it has a RequestId) but without a task ID: find the ID rather than report none.
                const recovered = await recoverTaskIds(client, logger, options, pending, sentAt, batch.host);
                ledger.accept(pending, (url) => recovered.get(url) ?? '', result.requestId, 'accepted-without-task-id');
            }
            else {
                ledger.accept(pending, () => result.taskId, result.requestId);
            }
            logger.info(`${batch.host}: ${pending.length} URLs, task ${result.taskId || '(none)'}, request ${result.requestId ?? '(none)'}`);
            return undefined;
        }
        catch (thrown) {
            if (!(thrown instanceof AlibabaError))
                throw thrown;
            error = thrown;
        }
        if (error.outcomeUnknown) {
            pending = await settleUnknown(client, logger, options, batch.host, { pending, sentAt, error }, ledger);
            if (pending.length === 0)
                return undefined;
        }
        if (stop?.stopped && isRetryable(error.errorClass)) {
            // Would have been retried, but the run stopped. A call the stop kept from going out carries no
            // status and no code: then the failure before it is the one to name.
            const answered = error.code !== undefined || error.httpStatus !== undefined;
            ledger.failStopped(pending, stop.reason ?? 'cancelled', answered ? error : lastFailure);
            return undefined;
        }
        lastFailure = error;
        const delay = isRetryable(error.errorClass)
            ? nextRetryDelay(error, attempt, started, options.retryPolicy)
            : undefined;
        if (delay === undefined)
            return { error, items: pending };
        ledger.retries++;
        logger.info(`  ${batch.host}: ${error.code ?? error.message}; retry ${attempt} in ${(delay / 1000).toFixed(1)} s`);
        await sleep(delay, stop?.sendSignal);
        if (stop?.stopped) {
            ledger.failStopped(pending, stop.reason ?? 'cancelled', error);
            return undefined;
        }
    }
}
/**
 * A call whose outcome is unknown is never sent again blindly: it is looked up. What is found is
 * recorded as submitted; what is still in doubt is recorded as outcome unknown. Returns the URLs the
 * look-ups showed not accepted, which may be sent again.
 */
async function settleUnknown(client, logger, options, host, call, ledger) {
    const { pending, sentAt, error } = call;
    if (options.stop?.stopped) {
        ledger.failUnknown(pending, `the call was in flight when the run stopped (${error.message}); it may have been accepted, so it was not sent again`);
        return [];
    }
    logger.info(`  ${host}: ${error.message}; looking the batch up before deciding to send it again`);
    const lookup = await lookUpCall(client, { urls: pending.map((item) => item.url), objectType: 'preload', sentAt }, { policy: options.lookup, retryPolicy: options.retryPolicy, signal: options.stop?.sendSignal });
    if (lookup.kind === 'absent') {
        logger.info(`  ${host}: not in the task list ${options.lookup.windowMs / 1000} s after the failure: not accepted`);
        return pending;
    }
    const found = lookup.kind === 'accepted' ? lookup.taskIds : lookup.found;
    const confirmed = pending.filter((item) => found.has(item.url));
    if (confirmed.length > 0) {
        ledger.accept(confirmed, (url) => found.get(url) ?? '', undefined, 'confirmed-by-lookup');
        logger.info(`  ${host}: ${confirmed.length} URLs were accepted after all (found by look-up)`);
    }
    if (lookup.kind === 'in-doubt') {
        const doubtful = pending.filter((item) => !found.has(item.url));
        ledger.failUnknown(doubtful, `${error.message}; ${lookup.why}, so it was not sent again`, lookup.code);
        logger.warning(`${host}: ${doubtful.length} URLs: outcome unknown (${lookup.why}); not sent again, so that no quota is spent twice.`);
    }
    return [];
}
/** The task IDs of a call accepted without one, found by look-up; an empty map when none is found. */
async function recoverTaskIds(client, logger, options, items, sentAt, host) {
    const lookup = await lookUpCall(client, { urls: items.map((item) => item.url), objectType: 'preload', sentAt }, { policy: options.lookup, retryPolicy: options.retryPolicy, signal: options.stop?.sendSignal });
    const found = lookup.kind === 'accepted' ? lookup.taskIds : lookup.kind === 'in-doubt' ? lookup.found : undefined;
    if (found && found.size > 0)
        return found;
    logger.warning(`${host}: the call was accepted but returned no task ID, and none was found by look-up.`);
    return new Map();
}
/** Refusals that name the URLs themselves (not a parameter), so that smaller batches may pass. */
function refusesSomeUrl(error) {
    return (error.errorClass === 'bad-request' &&
        (error.code?.startsWith('InvalidObjectPath') || error.code === 'SingleRequest.OverLimit'));
}
function recordFailure(logger, host, items, error, ledger) {
    if (isFatal(error.errorClass))
        ledger.fatal ??= error;
    if (error.errorClass === 'domain')
        ledger.failedHosts.set(host, error);
    ledger.fail(items, error.message, error);
    logger.warning(`${host}: ${items.length} URLs failed: ${error.message}`);
}

;// CONCATENATED MODULE: ./src/run.ts




















async function runPrefetch(config, deps) {
    const run = runContext(config, deps);
    // Calls in flight at the deadline get a moment to answer: their task IDs belong in the report.
    run.stop.armDeadline(config.timeoutMs, Math.min(5_000, config.requestTimeoutMs));
    try {
        if (config.sitemap?.saveSitemap)
            return await saveSitemapOnly(run);
        const site = await openSite(config, run.logger, reads(run));
        let sent;
        let closed;
        try {
            sent = await send(run, site);
        }
        finally {
            // However sending ended — a result, a refusal, the deadline, a cancel, an exception — the site is
            // closed: the next state is written from every URL's outcome (none is known after an exception).
            closed = site && (await run_close(run, site, sent?.outcomes ?? []));
        }
        return closed ? { ...sent, site: closed } : sent;
    }
    finally {
        run.stop.dispose();
    }
}
function runContext(config, deps) {
    return {
        config,
        logger: deps.logger,
        retryPolicy: deps.retryPolicy ?? DEFAULT_RETRY_POLICY,
        stop: deps.stop ?? new RunStop(),
        identity: deps.identity,
    };
}
/** From the gathered URLs to what became of each: the phases that talk to the API, in order. */
async function send(run, site) {
    const gathered = await gather(run, site);
    if (gathered.refusal)
        return refused(run, gathered, undefined, gathered.refusal);
    const { urls } = gathered;
    let client;
    let quotaRemain;
    let refreshing;
    let first;
    try {
        // A refusal before anything is submitted (credentials, a permission, a proxy) fails every URL unsent.
        client = await openClient(run, urls);
        quotaRemain = await readQuota(run, client, urls);
        refreshing = await refresh(run, client, urls);
        first = allotQuota(run, urls, refreshing, quotaRemain);
    }
    catch (error) {
        if (!(error instanceof AlibabaError))
            throw error;
        return refused(run, gathered, client, refusalOf(error));
    }
    const ledger = client && !run.config.dryRun ? submitLedger(run, first) : undefined;
    await run_submit(run, client, first.ready, ledger);
    // No slot waits for a refresh (the quota is spent, or the prefetch was refused for good): not waited for.
    const awaited = first.waiting.length > 0 && ledger?.fatal === undefined;
    const refreshed = await refreshWait(run, client, refreshing, awaited);
    const after = afterRefresh(run, first, refreshing, refreshed, { quota: quotaRemain, awaited, ledger });
    await run_submit(run, client, after.ready, ledger);
    const outcomes = inInputOrder(urls.rejected, skippedForQuota(after.overQuota, quotaRemain), refreshed && refreshing.sent
        ? heldBackOutcomes(after.heldBack, refreshed, refreshing.sent, run.config.follow.waitTimeoutMs)
        : [], ledger?.result().outcomes ??
        unsentOutcomes([...first.ready, ...after.ready], run.config.dryRun, run.stop.reason));
    const waited = await wait(run, client, outcomes);
    const followed = withFollowThrough(outcomes, refreshed, waited);
    return runResult({
        ...common(run, gathered, client),
        outcomes: followed.outcomes,
        quotaRemain,
        submitted: ledger?.result(),
        follow: followed.follow,
    });
}
/** Every source's URLs: the lists, the sitemap diff, and what the site planned. */
async function gather(run, site) {
    const { config, logger, stop } = run;
    const gathered = await gatherUrls(config, logger, reads(run), site && plannedSite(site));
    const failure = gathered.sitemapFailure;
    if (failure && stop.reason) {
        const sitemap = notReadSitemap(stoppedFirst(stop.reason));
        logger.warning(`sitemap: not read (${sitemap.notRead}); the other entries are reported.`);
        return { ...gathered, sitemapResult: sitemap };
    }
    if (failure) {
        return { ...gathered, sitemapResult: notReadSitemap(failure.message), refusal: sitemapRefusal(failure) };
    }
    const { urls } = gathered;
    if (urls.candidates.length === 0 && urls.rejected.length === 0) {
        const { level, message } = nothingToSend(gathered);
        logger[level](message);
    }
    return { ...gathered, ...(gathered.sitemap ? { sitemapResult: sitemapResult(gathered.sitemap) } : {}) };
}
/** The API client, or undefined: nothing to send, no credentials (a dry run), or the run has stopped. */
async function openClient(run, urls) {
    const { config, logger, retryPolicy, identity, stop } = run;
    if (urls.candidates.length === 0 || stop.stopped)
        return undefined;
    let credentials;
    try {
        credentials = await openCredentials(config, { logger, retryPolicy, identity, signal: stop.sendSignal });
    }
    catch (error) {
        // Stopped while the role was being assumed: nothing was sent, and a refusal is not the story.
        if (stop.stopped && !(error instanceof AlibabaError && isFatal(error.errorClass)))
            return undefined;
        throw error;
    }
    if (!credentials)
        return undefined;
    return new RenewingClient({
        endpoint: config.endpoint,
        signatureVersion: config.signatureVersion,
        timeoutMs: config.requestTimeoutMs,
        gate: createCallGate(config.requestsPerSecond),
        signal: stop.requestSignal,
        stopSending: stop.sendSignal,
    }, credentials, logger);
}
/** The day's prefetch remainder: `daily-quota` when it is a number, else read from the API. */
async function readQuota(run, client, urls) {
    const { config, logger, retryPolicy, stop } = run;
    if (typeof config.dailyQuota === 'number')
        return config.dailyQuota;
    if (urls.candidates.length === 0 || stop.stopped)
        return undefined;
    if (!client) {
        logger.notice('dry-run without credentials: the daily prefetch quota was not read, so the plan is not capped by it.');
        return undefined;
    }
    const remain = await readPreloadRemain(client, logger, retryPolicy, stop.sendSignal);
    if (remain !== undefined)
        logger.info(`Daily prefetch quota: ${remain} URLs remain today.`);
    return remain;
}
/**
 * With `refresh`: every URL that needs it refreshed now, in plan order within the refresh quota, its
 * prefetch waiting for a later run or not (never in a dry run: then only the need is known).
 */
async function refresh(run, client, urls) {
    const needs = refreshNeeds(urls.candidates, urls.changes, run.config.follow.refresh);
    const follow = followContext(run, client);
    if (!follow || needs.size === 0)
        return { needs };
    const toRefresh = [...urls.candidates]
        .sort((a, b) => a.order - b.order)
        .filter((candidate) => needs.get(candidate.url)?.needed);
    return { needs, sent: await sendRefreshes(follow, toRefresh) };
}
/**
 * The prefetch quota allotted over the plan in its order: what needs no refresh may go at once; a URL
 * whose refresh was accepted keeps its slot until the refresh completes; one whose refresh was not
 * accepted takes none. One line on the plan.
 */
function allotQuota(run, urls, refreshing, quota) {
    const first = allotBeforeRefresh(urls.candidates, refreshing.needs, refreshing.sent, quota);
    const toRefresh = [...refreshing.needs.values()].filter((need) => need.needed).length;
    const slotted = first.ready.length + first.waiting.length;
    const hosts = new Set([...first.ready, ...first.waiting].map((item) => item.host)).size;
    run.logger.info(`Plan: ${slotted} URLs to prefetch on ${hosts} host(s)` +
        (toRefresh ? ` (${first.waiting.length} of them once their refresh completes)` : '') +
        (urls.duplicates ? `; ${urls.duplicates} duplicate entries merged` : '') +
        (toRefresh ? `; ${toRefresh} URLs need a refresh first (${refreshWhy(run)})` : '') +
        (first.left.length ? `; ${first.left.length} left for later (quota ${quota ?? 'not capped'})` : ''));
    return first;
}
function refreshWhy(run) {
    return run.config.follow.refresh === 'all' ? 'refresh: true' : 'they changed in place';
}
/** After the refresh wait, the slots of refreshes that did not complete given on; a warning on what is left. */
function afterRefresh(run, first, refreshing, refreshed, context) {
    const { needs, sent } = refreshing;
    // Stopped, or refused for good: a refresh cut short holds nothing back; the submission reports why.
    const halted = run.stop.reason !== undefined || context.ledger?.fatal !== undefined;
    const after = allotAfterRefresh(first, needs, sent, refreshed, { halted, awaited: context.awaited });
    if (refreshed)
        refreshed.summary.heldBack = after.heldBack.length;
    const freshOverQuota = after.overQuota.filter((item) => refreshed?.urls.get(item.url)?.refreshStatus === 'Complete').length;
    warnLeft(run, after.heldBack.length, { count: after.overQuota.length, fresh: freshOverQuota }, context.quota);
    return after;
}
function warnLeft(run, heldBack, overQuota, quota) {
    const { config, logger } = run;
    const carries = Boolean(config.site?.state) && !config.dryRun;
    if (heldBack > 0) {
        logger.warning(`refresh: ${heldBack} URLs that needed a refresh are not prefetched, as their refresh was not confirmed Complete ` +
            '(a prefetch cannot replace the copy the CDN holds). ' +
            (carries
                ? 'Those from site-dir are carried in the state: the next run refreshes them first where no refresh was accepted, and prefetches them.'
                : 'They are listed in the report with the reason.'));
    }
    if (overQuota.count > 0) {
        logger.warning(`${overQuota.count} URLs skipped: the daily prefetch quota has ${quota} left` +
            (overQuota.fresh
                ? ` (${overQuota.fresh} of them are refreshed already: fresh, only not warm yet)`
                : '') +
            '. ' +
            (carries
                ? 'Those from site-dir are carried in the state and warmed by the next runs; all are listed in the report.'
                : 'They are listed in the report; run again tomorrow or raise the quota.'));
    }
}
/** The submitter's book, shared by both rounds of the prefetch, with the progress over both. */
function submitLedger(run, first) {
    const total = first.ready.length + first.waiting.length;
    return new SubmitLedger((done) => run.logger.progress?.({ phase: 'submit', done, total }));
}
/** PushObjectCache for `items`, packed into calls; nothing without a ledger (a dry run, no client). */
async function run_submit(run, client, items, ledger) {
    const { config, logger, retryPolicy, stop } = run;
    if (!client || !ledger || items.length === 0)
        return;
    const { batches } = packBatches(items, config.batchSize);
    await logger.group(`Submitting ${batches.length} PushObjectCache calls`, () => submitBatches(client, logger, {
        batches,
        batchSize: config.batchSize,
        push: config.push,
        concurrency: config.requestsPerSecond,
        retryPolicy,
        lookup: lookupPolicy(config.requestTimeoutMs),
        rereadQuota: () => readPreloadRemain(client, logger, retryPolicy, stop.sendSignal),
        stop,
    }, ledger));
}
/**
 * With `refresh` (never in a dry run): the refresh tasks followed until they finish or `wait-timeout`
 * passes — when a slot waits for them (`awaited`) — and every candidate's refresh for the report.
 * Undefined with `refresh: false`.
 */
async function refreshWait(run, client, refreshing, awaited) {
    const { sent, needs } = refreshing;
    const follow = followContext(run, client);
    if (!follow || sent === undefined)
        return undefined;
    if (!awaited && sent.accepted.size > 0) {
        run.logger.info(`Not waiting for the ${sent.accepted.size} refreshed URLs: no prefetch slot is left for them in this run ` +
            '(they are fresh once their refresh completes, and carried as refreshed with state).');
    }
    const followed = awaited ? await waitForRefresh(follow, sent) : undefined;
    const urls = refreshOutcomes(needs, sent, followed);
    const notNeeded = {};
    for (const need of needs.values())
        if (!need.needed)
            notNeeded[need.kind] = (notNeeded[need.kind] ?? 0) + 1;
    sent.summary.notNeeded = notNeeded;
    return { summary: sent.summary, urls };
}
/** With `wait` (never in a dry run): the prefetch tasks followed until they finish or `wait-timeout`. */
async function wait(run, client, outcomes) {
    const follow = followContext(run, client);
    return follow && waitForPrefetch(follow, outcomes);
}
/** What the follow-through phases need; undefined when nothing is sent. */
function followContext(run, client) {
    const { config, logger, retryPolicy, stop } = run;
    if (!client || config.dryRun)
        return undefined;
    return {
        client,
        options: config.follow,
        logger,
        retryPolicy,
        lookup: lookupPolicy(config.requestTimeoutMs),
        stop,
    };
}
/** Every URL reported, none sent: the step fails with the refusal. */
function refused(run, gathered, client, refusal) {
    return refusedResult(common(run, gathered, client), gathered.urls, refusal);
}
/** The parts of the result every ending shares. */
function common(run, gathered, client) {
    return {
        dryRun: run.config.dryRun,
        urls: gathered.urls,
        apiCalls: client?.sentCalls() ?? {},
        stopped: run.stop.reason,
        sitemap: gathered.sitemapResult,
    };
}
/** Writes the next state from every URL's outcome (never in a dry run); the site's part of the result. */
function run_close(run, site, outcomes) {
    return closeSite(site, run.config, { outcomes, stopped: run.stop.reason }, { logger: run.logger });
}
/** `save-sitemap`: saves the baseline and sends nothing; a run stopped first says the sitemap was not read. */
async function saveSitemapOnly(run) {
    const { config, logger, stop } = run;
    try {
        const saved = await saveBaseline(config, logger, reads(run));
        return emptyResult(config.dryRun, saved);
    }
    catch (error) {
        if (stop.reason === undefined || error instanceof ConfigError)
            throw error;
        return {
            ...emptyResult(config.dryRun, undefined),
            stopped: stop.reason,
            sitemap: notReadSitemap(stoppedFirst(stop.reason)),
        };
    }
}
/** How the sources read documents: stopped with the run, retried as the API calls are. */
function reads(run) {
    return { signal: run.stop.sendSignal, retryPolicy: run.retryPolicy };
}

;// CONCATENATED MODULE: ./src/base/redact.ts
/**
 * Real AccessKey IDs, secrets and tokens are 16 characters or longer; replacing a very short value
 * everywhere would corrupt URLs in the report without protecting anything.
 */
const MIN_SECRET_LENGTH = 8;
/**
 * A spelling's first characters that, found in a text, mark the start of a secret even when the rest
 * is cut off (`CAIS0123456789…`). Long enough never to occur by chance.
 */
const HEAD_LENGTH = 12;
const MASK = '***';
/** RFC 3986 percent-encoding, as the request signer writes every parameter. */
function rfc3986(value) {
    return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
/** application/x-www-form-urlencoded, as URLSearchParams writes it (space as +). */
function formEncoded(value) {
    return new URLSearchParams([['', value]]).toString().slice(1);
}
/**
 * Every spelling of `secret` the action produces or a server may echo: raw; percent-encoded once and
 * twice (RFC 3986 as the signer writes it, encodeURIComponent, form encoding), with upper- or lower-case
 * hex; base64 (Proxy-Authorization sends `user:password` so); and each as a JSON string holds it.
 */
function secretSpellings(secret) {
    const encoders = [rfc3986, encodeURIComponent, formEncoded];
    const spellings = new Set([secret]);
    for (const encode of encoders) {
        const once = encode(secret);
        spellings.add(once);
        for (const again of encoders)
            spellings.add(again(once));
    }
    for (const spelling of [...spellings]) {
        spellings.add(spelling.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()));
    }
    const base64 = Buffer.from(secret, 'utf8').toString('base64');
    spellings.add(base64);
    spellings.add(base64.replace(/=+$/, ''));
    spellings.add(Buffer.from(secret, 'utf8').toString('base64url'));
    for (const spelling of [...spellings])
        spellings.add(JSON.stringify(spelling).slice(1, -1));
    return [...spellings].filter((spelling) => spelling.length >= MIN_SECRET_LENGTH);
}
function createRedactor(secrets) {
    const spellings = [
        ...new Set(secrets
            .filter((s) => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH)
            .flatMap(secretSpellings)),
    ];
    if (spellings.length === 0)
        return (text) => text;
    return (text) => mask(text, matches(text, spellings));
}
/** Where any spelling, or the start of one cut short, stands in `text`: [start, end) spans. */
function matches(text, spellings) {
    const spans = [];
    for (const spelling of spellings) {
        const head = spelling.slice(0, HEAD_LENGTH);
        for (let at = text.indexOf(head); at !== -1; at = text.indexOf(head, at + 1)) {
            let length = head.length;
            while (length < spelling.length && text[at + length] === spelling[length])
                length++;
            spans.push([at, at + length]);
        }
    }
    return spans;
}
/** `text` with every span (overlapping ones merged) replaced by the mask. */
function mask(text, spans) {
    if (spans.length === 0)
        return text;
    spans.sort((a, b) => a[0] - b[0]);
    let out = '';
    let copied = 0;
    let end = -1;
    for (const [start, stop] of spans) {
        if (start > end) {
            if (end >= 0)
                copied = end;
            out += text.slice(copied, start) + MASK;
            end = stop;
        }
        else {
            end = Math.max(end, stop);
        }
    }
    return out + text.slice(end);
}

;// CONCATENATED MODULE: ./src/runtime/signals.ts
/** How long calls in flight may still answer after the first signal; under the runner's 7.5 s. */
const CANCEL_GRACE_MS = 4_000;
/** Until disposed, SIGINT and SIGTERM stop `stop`'s run instead of killing the process. */
function stopOnSignals(stop, notify) {
    let received;
    const handler = (signal) => {
        if (received === undefined) {
            received = signal;
            stop.stop('cancelled', CANCEL_GRACE_MS);
            notify(`${signal}: cancelling. No new call starts; calls in flight have ${CANCEL_GRACE_MS / 1000} s to answer ` +
                '(a second signal gives them up). Every URL is still reported.');
        }
        else {
            stop.abortRequests();
            notify(`${signal} again: giving up the calls in flight; their URLs are reported as outcome unknown.`);
        }
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
    return {
        get received() {
            return received;
        },
        dispose() {
            process.off('SIGINT', handler);
            process.off('SIGTERM', handler);
        },
    };
}

;// CONCATENATED MODULE: ./src/report/listing.ts
/** GitHub drops a step summary over 1 MiB whole; this is the most a summary may ever be. */
const SUMMARY_MAX_BYTES = 1_000_000;
/** Reasons listed per status; the rest are counted. */
const LISTED_REASONS = 50;
/** URLs shown per reason. */
const URLS_PER_REASON = 3;
/** Groups outcomes by identical reason and code, the largest group first (ties: first seen first). */
function groupByReason(outcomes) {
    const groups = new Map();
    for (const outcome of outcomes) {
        const reason = outcome.reason ?? '';
        const key = `${outcome.code ?? ''}\u0000${reason}`;
        let group = groups.get(key);
        if (group === undefined) {
            group = { reason, code: outcome.code, count: 0, urls: [] };
            groups.set(key, group);
        }
        group.count++;
        if (group.urls.length < URLS_PER_REASON)
            group.urls.push(outcome.url);
    }
    return [...groups.values()].sort((a, b) => b.count - a.count);
}
/** Bytes left for a part of the summary; a line is taken only if it fits whole. */
class listing_ByteBudget {
    left;
    constructor(left) {
        this.left = left;
    }
    take(line) {
        const bytes = Buffer.byteLength(line, 'utf8') + 1;
        if (bytes > this.left)
            return false;
        this.left -= bytes;
        return true;
    }
}
/** Text on one line, cut after `max` characters. */
function listing_oneLine(text, max) {
    const line = text.replace(/\r?\n/g, ' ');
    return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
/** Text for a Markdown table cell: one line, `|` escaped, cut after `max` characters. */
function listing_cell(text, max) {
    return listing_oneLine(text, max).replace(/\|/g, '\\|');
}
/**
 * The summary as GitHub will show it: cut at a line boundary below SUMMARY_MAX_BYTES, with a last
 * line that says so, should the parts' own budgets ever not suffice.
 */
function fitSummary(text, reportPath) {
    if (Buffer.byteLength(text, 'utf8') <= SUMMARY_MAX_BYTES)
        return text;
    const tail = `\n\n… the summary stops here to stay under GitHub's 1 MiB limit; every URL is in the report: \`${listing_oneLine(reportPath, 500)}\`\n`;
    const room = SUMMARY_MAX_BYTES - Buffer.byteLength(tail, 'utf8');
    // Cut by bytes, then back to the last whole line (never inside a UTF-8 sequence).
    const head = Buffer.from(text, 'utf8').subarray(0, room).toString('utf8');
    const lastLine = head.lastIndexOf('\n');
    return (lastLine > 0 ? head.slice(0, lastLine) : '') + tail;
}

;// CONCATENATED MODULE: ./src/report/site.ts
/** What the files were compared with, in a few words. */
function comparedText(site) {
    const state = site.state === undefined ? '' : `\`${site.state}\``;
    const alone = site.siteDir === undefined;
    const found = site.stateFound;
    if (found === undefined)
        return 'No state is kept (set state): every file counts as added, nothing is carried.';
    if (found === 'found') {
        return alone
            ? `State ${state} alone: no site-dir is read; its carried URLs are warmed.`
            : `Compared with the state ${state}.`;
    }
    if (found === 'missing') {
        return alone
            ? `No state ${state} yet: nothing carried to warm.`
            : `No state ${state} yet: every file counts as added, nothing is carried in.`;
    }
    const why = found === 'unusable' ? 'could not be used' : 'was written for another base-url';
    return alone
        ? `The state ${state} ${why}: nothing carried to warm.`
        : `The state ${state} ${why}: every file counts as added, nothing is carried in.`;
}
/** "4 carried in (1 dropped: older than carry-days), 3 carried to the next run", or what stands instead of the last. */
function carriedText(site, dryRun) {
    const { counts } = site;
    const dropped = [
        counts.carriedAged ? `${counts.carriedAged} older than carry-days` : '',
        counts.carriedGone ? `${counts.carriedGone} whose file is gone` : '',
        counts.carriedExcluded ? `${counts.carriedExcluded} excluded` : '',
    ].filter(Boolean);
    const superseded = counts.carriedSuperseded
        ? `, ${counts.carriedSuperseded} changed again (warmed as changes)`
        : '';
    const into = `${counts.carriedIn} carried in` +
        (dropped.length ? ` (dropped: ${dropped.join(', ')})` : '') +
        superseded;
    return `${into}, ${outText(site, dryRun)}`;
}
function outText(site, dryRun) {
    if (site.carriedOut !== undefined) {
        const cold = site.leftCold ? ` (${site.leftCold} left cold: a first run carries nothing)` : '';
        return `${site.carriedOut} carried to the next run${cold}`;
    }
    if (site.state === undefined)
        return 'none carried to the next run (no state)';
    if (dryRun)
        return 'the state was not written (dry run)';
    return 'the state was not written, so nothing new is carried';
}

;// CONCATENATED MODULE: ./src/report/follow-summary.ts

const LISTED = 50;
/** Bytes each table of URLs may take: the summary as a whole must stay under GitHub's limit. */
const TABLE_BYTES = (/* unused pure expression or super */ null && (128 * 1024));
function renderFollowSummary(result) {
    const { refresh, wait } = result.follow ?? {};
    const lines = [];
    if (refresh) {
        lines.push('### Refresh before the prefetch', '');
        lines.push([
            refreshText(refresh),
            `${refresh.calls} RefreshObjectCaches calls`,
            refresh.urlRemain !== undefined ? `refresh quota left at the start: ${refresh.urlRemain}` : '',
            refresh.wait ? waitLine(refresh.wait) : '',
        ]
            .filter(Boolean)
            .join(' · '), '');
        if (refresh.wait)
            lines.push(...taskTable(refresh.wait.tasks));
        const troubled = result.outcomes.filter((o) => o.refreshStatus !== undefined && o.refreshStatus !== 'Complete' && o.refreshStatus !== 'NotNeeded');
        lines.push(...urlTable(`Not refreshed, refresh failed or not finished (${troubled.length})`, troubled, (o) => [
            o.refreshStatus ?? '',
            o.refreshDescription ?? (o.status === 'skipped' ? (o.reason ?? '') : ''),
        ], ['refresh', 'reason']));
    }
    if (wait) {
        lines.push('### Waiting for the prefetch', '');
        lines.push('| | URLs |', '|---|---:|', `| completed | ${wait.completed} |`, `| failed at the CDN | ${wait.failed} |`, `| pending | ${wait.pending} |`, '', waitLine(wait), '');
        lines.push(...taskTable(wait.tasks));
        const failed = result.outcomes.filter((o) => o.taskStatus === 'Failed');
        lines.push(...urlTable(`Prefetch failed at the CDN (${failed.length})`, failed, (o) => [o.description ?? ''], [
            'reason',
        ]));
    }
    return lines;
}
/**
 * The refresh in a sentence: how many URLs needed one, what became of them, and how many were held
 * back from the prefetch for it. The summary and the CLI's closing table both say it so.
 */
function refreshText(refresh) {
    const none = noneNeeded(refresh.notNeeded ?? {});
    if (refresh.requested === 0)
        return `no URL needed a refresh${none ? ` (${none})` : ''}`;
    const wait = refresh.wait;
    const states = wait
        ? ` (${[
            `${wait.completed} Complete`,
            wait.failed ? `${wait.failed} failed at the CDN` : '',
            wait.pending ? `${wait.pending} not finished` : '',
        ]
            .filter(Boolean)
            .join(', ')})`
        : '';
    return [
        `${refresh.requested} URLs needed a refresh: ${refresh.refreshed} refreshed${states}` +
            (refresh.notRefreshed ? `, ${refresh.notRefreshed} not refreshed` : ''),
        refresh.heldBack ? `${refresh.heldBack} held back from the prefetch until their refresh completes` : '',
        none ? `none needed for ${none}` : '',
    ]
        .filter(Boolean)
        .join('; ');
}
const NONE_NEEDED = {
    added: 'added',
    refreshed: 'refreshed by an earlier run',
    unchanged: 'unchanged',
    list: 'urls / urls-file entries',
};
/** "3 added, 2 refreshed by an earlier run". */
function noneNeeded(counts) {
    return Object.entries(NONE_NEEDED)
        .filter(([kind]) => (counts[kind] ?? 0) > 0)
        .map(([kind, label]) => `${counts[kind]} ${label}`)
        .join(', ');
}
function waitLine(wait) {
    const seconds = Math.round(wait.elapsedMs / 1000);
    const how = {
        finished: `every task finished after ${seconds} s`,
        timeout: `wait-timeout passed after ${seconds} s with ${wait.pending} URLs pending`,
        stopped: `stopped after ${seconds} s: the run was stopping`,
        'poll-failed': `stopped after ${seconds} s: the polls kept failing (${oneLine(wait.error ?? 'unknown error', 400)})`,
    }[wait.ended];
    return `${how} · ${wait.polls} polls, ${wait.calls} DescribeRefreshTaskById calls`;
}
function taskTable(tasks) {
    if (tasks.length === 0)
        return [];
    const rows = tasks
        .slice(0, LISTED)
        .map((t) => `| \`${t.taskId}\` | ${t.urls} | ${t.status} | ${t.process}% (${t.complete} done, ${t.failed} failed, ${t.pending} pending) |`);
    const more = tasks.length > LISTED ? [`…and ${tasks.length - LISTED} more tasks in the report.`, ''] : [];
    return ['| task | URLs | status | progress |', '|---|---:|---|---|', ...rows, '', ...more];
}
function urlTable(title, outcomes, columns, headers) {
    if (outcomes.length === 0)
        return [];
    const budget = new ByteBudget(TABLE_BYTES);
    const rows = [];
    for (const o of outcomes.slice(0, LISTED)) {
        const row = `| ${[cell(o.url, 1100), ...columns(o).map((text) => cell(text, 400))].join(' | ')} |`;
        if (!budget.take(row))
            break;
        rows.push(row);
    }
    const unlisted = outcomes.length - rows.length;
    const more = unlisted > 0 ? [`…and ${unlisted} more in the report.`, ''] : [];
    return [
        `#### ${title}`,
        '',
        `| URL | ${headers.join(' | ')} |`,
        `|${'---|'.repeat(headers.length + 1)}`,
        ...rows,
        '',
        ...more,
    ];
}

;// CONCATENATED MODULE: ./src/report/closing.ts



/** URLs listed per status, a few per reason; the rest are counted (and all are in --json). */
const closing_LISTED = 20;
function renderClosing(result) {
    // save-sitemap sends nothing: what was saved is all there is to say.
    if (result.savedSitemap)
        return `${savedLine(result)}\n`;
    const sections = [
        sitemapLines(result),
        siteLines(result),
        result.dryRun ? planTable(result.outcomes) : closing_taskTable(result.outcomes),
        countsTable(result),
        refreshLines(result),
        outcomeList('Failed', result.outcomes.filter((o) => o.status === 'failed')),
        outcomeList('Skipped', result.outcomes.filter((o) => o.status === 'skipped')),
    ];
    return (sections
        .filter((lines) => lines.length > 0)
        .map((lines) => lines.join('\n'))
        .join('\n\n') + '\n');
}
function closing_taskTable(outcomes) {
    const tasks = new Map();
    for (const outcome of outcomes) {
        if (outcome.status !== 'submitted')
            continue;
        const task = outcome.taskId || '(no task ID)';
        const host = closing_hostOf(outcome.url);
        const key = `${task} ${host}`;
        const row = tasks.get(key) ?? { task, host, urls: 0 };
        row.urls++;
        tasks.set(key, row);
    }
    if (tasks.size === 0)
        return [];
    const rows = [...tasks.values()].map((row) => [row.task, row.host, String(row.urls)]);
    return [`Tasks (${tasks.size})`, ...table(['task ID', 'host', 'URLs'], rows, [2])];
}
function planTable(outcomes) {
    const hosts = new Map();
    for (const outcome of outcomes) {
        if (outcome.status === 'planned')
            hosts.set(closing_hostOf(outcome.url), (hosts.get(closing_hostOf(outcome.url)) ?? 0) + 1);
    }
    if (hosts.size === 0)
        return [];
    const rows = [...hosts].map(([host, urls]) => [host, String(urls)]);
    return ['Plan (dry run: nothing was sent)', ...table(['host', 'URLs'], rows, [1])];
}
/** What the sitemap diff saw, in two lines. */
function sitemapLines(result) {
    if (!result.sitemap)
        return [];
    const { counts, baseline, baselineProblem } = result.sitemap;
    const against = baseline
        ? `compared with ${baseline}`
        : baselineProblem === 'unreadable'
            ? 'the baseline could not be read: nothing selected'
            : 'no baseline: every URL counts as added';
    const parts = [
        `${counts.deployed} deployed`,
        `${counts.added} added`,
        `${counts.modified} modified`,
        `${counts.unchanged} unchanged`,
        `${counts.notComparable} not comparable`,
        ...(counts.unknown ? [`${counts.unknown} unknown`] : []),
        `${counts.excluded} excluded`,
        ...(counts.invalid ? [`${counts.invalid} unusable <loc>`] : []),
    ];
    return [`Sitemap (${against})`, `  ${parts.join(' · ')}`];
}
/** What site-dir held and what was carried, in three lines. */
function siteLines(result) {
    const site = result.site;
    if (!site)
        return [];
    const { counts } = site;
    const head = site.siteDir === undefined ? 'Carried URLs' : `Site ${site.siteDir}`;
    const files = site.siteDir === undefined
        ? []
        : [
            `  ${counts.files} files · ${counts.added} added · ${counts.modified} modified ` +
                `(${counts.chromeOnly} chrome-only) · ${counts.unchanged} unchanged · ${counts.excluded} excluded`,
        ];
    const compared = comparedText(site).replace(/`/g, '').replace(/\.$/, '');
    return [
        `${head}: ${compared.charAt(0).toLowerCase()}${compared.slice(1)}`,
        ...files,
        `  carried: ${carriedText(site, result.dryRun)}`,
    ];
}
function countsTable(result) {
    const { counts } = result;
    const rows = [
        ...(result.dryRun ? [['planned', counts.planned]] : []),
        ['submitted', counts.submitted],
        ['skipped', counts.skipped],
        ['failed', counts.failed],
        ['distinct URLs', counts.total],
    ].map(([name, count]) => [String(name), String(count)]);
    const extras = [
        result.duplicates ? `${result.duplicates} duplicate entries merged` : '',
        result.quotaRemain !== undefined ? `prefetch quota left at the start: ${result.quotaRemain}` : '',
        result.calls ? `${result.calls} PushObjectCache calls, ${result.retries} retries` : '',
        result.stopped ? `stopped early: ${result.stopped}` : '',
        result.sitemap?.notRead ? `sitemap not read: ${result.sitemap.notRead}` : '',
    ].filter(Boolean);
    return ['URLs', ...table(undefined, rows, [1]), ...(extras.length ? [extras.join(' · ')] : [])];
}
/** What the refresh did, in a line. */
function refreshLines(result) {
    const refresh = result.follow?.refresh;
    return refresh ? [`Refresh: ${refreshText(refresh)}`] : [];
}
/** URLs grouped by reason: the reason once, with its count, then its first URLs. */
function outcomeList(title, outcomes) {
    if (outcomes.length === 0)
        return [];
    const lines = [`${title} (${outcomes.length})`];
    let listed = 0;
    let shown = 0;
    const groups = groupByReason(outcomes);
    for (const group of groups) {
        if (listed >= closing_LISTED)
            break;
        const code = group.code && !group.reason.includes(group.code) ? ` (${group.code})` : '';
        const reason = `${group.reason}${code}`.trim() || '(no reason given)';
        lines.push(`  ${group.count} × ${listing_oneLine(reason, 400)}`);
        for (const url of group.urls)
            lines.push(`      ${listing_oneLine(url, 1100)}`);
        if (group.count > group.urls.length)
            lines.push(`      …and ${group.count - group.urls.length} more`);
        listed += group.urls.length;
        shown += group.count;
    }
    if (shown < outcomes.length) {
        lines.push(`…and ${outcomes.length - shown} more URLs with other reasons: see --json.`);
    }
    return lines;
}
/** What `save-sitemap` did, in one line: the CLI's whole output for it, and the action's last log line. */
function savedLine(result) {
    const saved = result.savedSitemap;
    if (!saved)
        return '';
    return `Saved ${saved.urls} URLs of ${saved.sitemap} to ${saved.file}; nothing was sent.`;
}
/** Columns padded to their widest cell; `right` lists the right-aligned columns. */
function table(header, rows, right) {
    const all = header ? [header, ...rows] : rows;
    const columns = Math.max(...all.map((row) => row.length));
    const widths = Array.from({ length: columns }, (_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
    return all.map((row) => '  ' +
        row
            .map((cell, column) => {
            const width = widths[column] ?? 0;
            if (column === row.length - 1 && !right.includes(column))
                return cell;
            return right.includes(column) ? cell.padStart(width) : cell.padEnd(width);
        })
            .join('  ')
            .trimEnd());
}
function closing_hostOf(url) {
    try {
        return new URL(url).host;
    }
    catch {
        return url;
    }
}

// EXTERNAL MODULE: ./node_modules/cli-progress/cli-progress.js
var cli_progress = __nccwpck_require__(8502);
var cli_progress_default = /*#__PURE__*/__nccwpck_require__.n(cli_progress);
;// CONCATENATED MODULE: ./src/cli/console-logger.ts
/**
 * The core's Logger on a terminal. Everything goes to standard error, so that standard output carries
 * only the result (the closing table, or the JSON report with --json). On a terminal, a long phase is a
 * progress bar (cli-progress) and its per-call lines are held back unless --verbose; elsewhere (CI
 * logs, files) every line is printed, and progress is a plain line at every tenth.
 */

const LABELS = {
    submit: 'Submitting',
    refresh: 'Refreshing',
    wait: 'Waiting for the CDN',
};
class ConsoleLogger {
    stream;
    options;
    active;
    /** A bar was drawn in the current group: its per-call lines stay held back until the group ends. */
    barInGroup = false;
    /** Per phase, the last tenth printed as a plain line. */
    tenths = new Map();
    constructor(stream, options) {
        this.stream = stream;
        this.options = options;
    }
    info(message) {
        // While a bar runs, per-call lines would bury it; --verbose shows them anyway.
        if ((this.active || this.barInGroup) && !this.options.verbose)
            return;
        this.write(message);
    }
    warning(message) {
        this.write(`warning: ${message}`);
    }
    notice(message) {
        this.write(`notice: ${message}`);
    }
    debug(message) {
        if (this.options.verbose)
            this.write(`debug: ${message}`);
    }
    async group(title, fn) {
        this.write(title);
        try {
            return await fn();
        }
        finally {
            this.endBar();
            this.barInGroup = false;
        }
    }
    progress(event) {
        if (event.total <= 0)
            return;
        if (this.options.tty)
            this.drawBar(event);
        else
            this.printTenth(event);
    }
    /** Ends any bar, leaving its last state on screen; call before printing the result. */
    close() {
        this.endBar();
    }
    drawBar(event) {
        if (this.active?.phase !== event.phase) {
            this.endBar();
            const bars = new (cli_progress_default()).MultiBar({
                stream: this.stream,
                format: `${LABELS[event.phase]} {bar} {percentage}% | {value}/{total} URLs | {duration_formatted}`,
                hideCursor: true,
                barsize: 30,
                // Signals are the run's to handle (src/util/signals.ts); the bar only ends with it.
                gracefulExit: false,
            }, (cli_progress_default()).Presets.shades_classic);
            this.active = { phase: event.phase, bars, bar: bars.create(event.total, event.done) };
            this.barInGroup = true;
        }
        this.active.bar.setTotal(event.total);
        this.active.bar.update(event.done);
        if (event.done >= event.total)
            this.endBar();
    }
    printTenth(event) {
        const tenth = Math.floor((Math.min(event.done, event.total) * 10) / event.total);
        if (tenth <= (this.tenths.get(event.phase) ?? -1) || (tenth === 0 && event.done < event.total))
            return;
        this.tenths.set(event.phase, tenth);
        const percent = Math.floor((event.done * 100) / event.total);
        this.write(`${LABELS[event.phase]}: ${event.done}/${event.total} URLs (${percent}%)`);
    }
    endBar() {
        if (!this.active)
            return;
        const { bars } = this.active;
        this.active = undefined;
        // A last redraw flushes the lines logged meanwhile (MultiBar.log) before the bar is left in place.
        bars.update();
        bars.stop();
    }
    write(message) {
        const line = this.options.redact(message);
        if (this.active)
            this.active.bars.log(`${line}\n`);
        else
            this.stream.write(`${line}\n`);
    }
}

;// CONCATENATED MODULE: external "node:util"
const external_node_util_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");
;// CONCATENATED MODULE: ./src/cli/flags.ts
/**
 * The CLI's flags are the action's inputs, by the same names. The input spec (config/inputs.ts) says
 * which inputs are flags, of what kind and with what default; the descriptions come from action.yml
 * (through inputs.generated.ts). Left out are the secrets (credentials come from the ALIBABA_CLOUD_*
 * variables, never from the command line, where they would land in shell history and `ps`) and what
 * only exists inside GitHub Actions. Parsing is Node's util.parseArgs; the checks after it exist to
 * word the errors.
 */




/** Inputs that are not flags, and what to use instead: the message for someone who tries one. */
const NOT_FLAGS = Object.fromEntries(INPUT_NAMES.flatMap((name) => {
    const cli = INPUTS[name].cli;
    return cli.flag ? [] : [[name, cli.instead]];
}));
/** Flags of the CLI itself, beside the inputs. */
const CLI_FLAGS = [
    {
        name: 'json',
        usage: '--json',
        description: "Print the JSON report (the action's report file) on standard output instead of the closing table. The plan, progress and warnings still go to standard error.",
    },
    { name: 'verbose', usage: '--verbose', description: 'Also print every call and debug lines.' },
    { name: 'help', usage: '-h, --help', description: 'Print this help.' },
    { name: 'version', usage: '--version', description: 'Print the version.' },
];
function flagKind(kind) {
    if (kind === 'switch' || kind === 'optional-switch')
        return 'switch';
    return kind === 'list' ? 'list' : 'value';
}
/**
 * The flags, in the spec's order (action.yml's), with the descriptions and defaults `descriptions`
 * gives (action.yml's; scripts/docs.ts passes a fresh read of it).
 */
function flagSpecs(descriptions = ACTION_INPUTS) {
    const own = new Set(CLI_FLAGS.map((flag) => flag.name));
    const described = new Map(descriptions.map((input) => [input.name, input]));
    return INPUT_NAMES.flatMap((name) => {
        const spec = INPUTS[name];
        if (!spec.cli.flag)
            return [];
        if (own.has(name))
            throw new Error(`input "${name}" collides with the CLI's own --${name}`);
        const input = described.get(name);
        if (input === undefined)
            throw new Error(`action.yml has no input "${name}" to describe the flag`);
        const { description } = input;
        const kind = flagKind(spec.kind);
        const note = [kind === 'list' ? 'Repeat the flag for more.' : '', spec.cli.note ?? '']
            .filter(Boolean)
            .join(' ');
        return [
            {
                name,
                kind,
                default: effectiveDefault(input),
                description: note ? `${description} ${note}` : description,
            },
        ];
    });
}
/** Parses the command line; a UsageError says what is wrong with it. */
function parseFlags(argv, specs) {
    const byName = new Map(specs.map((spec) => [spec.name, spec]));
    const options = {};
    for (const spec of specs) {
        if (spec.kind === 'switch') {
            options[spec.name] = { type: 'boolean' };
            options[`no-${spec.name}`] = { type: 'boolean' };
        }
        else {
            options[spec.name] = { type: 'string', multiple: true };
        }
    }
    for (const flag of CLI_FLAGS)
        options[flag.name] = { type: 'boolean' };
    options['help'] = { type: 'boolean', short: 'h' };
    // Not strict: the tokens are checked below, so that each mistake gets a message naming the fix.
    const { tokens } = (0,external_node_util_namespaceObject.parseArgs)({
        args: [...argv],
        options,
        strict: false,
        allowPositionals: true,
        tokens: true,
    });
    const parsed = { inputs: {}, json: false, verbose: false, help: false, version: false };
    const lists = new Map();
    let previous;
    for (const token of tokens) {
        if (token.kind === 'option-terminator')
            continue;
        if (token.kind === 'positional')
            throw new UsageError(positionalMessage(token.value, previous, byName));
        previous = token.name;
        const ownFlag = CLI_FLAGS.find((flag) => flag.name === token.name);
        if (ownFlag) {
            if (token.value !== undefined)
                throw new UsageError(`${token.rawName} takes no value`);
            parsed[ownFlag.name] = true;
            continue;
        }
        const negated = token.name.startsWith('no-') && byName.get(token.name.slice(3))?.kind === 'switch';
        const spec = byName.get(negated ? token.name.slice(3) : token.name);
        if (!spec)
            throw new UsageError(unknownFlagMessage(token.rawName, token.name, specs));
        if (spec.kind === 'switch') {
            parsed.inputs[spec.name] = String(switchValue(token.rawName, token.value, negated));
            continue;
        }
        const value = token.value;
        if (value === undefined || (!token.inlineValue && value.length > 1 && value.startsWith('-'))) {
            throw new UsageError(`--${spec.name} needs a value, like --${spec.name} ${example(spec)}`);
        }
        if (spec.kind === 'value' && parsed.inputs[spec.name] !== undefined) {
            throw new UsageError(`--${spec.name} is given twice; it takes one value`);
        }
        if (spec.kind === 'list') {
            const values = lists.get(spec.name) ?? [];
            values.push(value);
            lists.set(spec.name, values);
            parsed.inputs[spec.name] = values.join('\n');
        }
        else {
            parsed.inputs[spec.name] = value;
        }
    }
    return parsed;
}
function switchValue(rawName, value, negated) {
    if (value === undefined)
        return !negated;
    if (!negated && /^(true|false)$/i.test(value))
        return value.toLowerCase() === 'true';
    throw new UsageError(`${rawName} is a switch: write ${rawName.replace(/^--(no-)?/, '--')} or ${rawName.replace(/^--(no-)?/, '--no-')}`);
}
function positionalMessage(value, previous, byName) {
    const spec = previous === undefined ? undefined : byName.get(previous.replace(/^no-/, ''));
    if (spec?.kind === 'switch') {
        return `unexpected "${value}": --${spec.name} is a switch and takes no value (write --${spec.name} or --no-${spec.name})`;
    }
    return `unexpected "${value}": every value belongs to a flag, like --urls ${/^https?:/.test(value) ? value : 'https://www.example.com/'}`;
}
function unknownFlagMessage(rawName, name, specs) {
    const instead = NOT_FLAGS[name];
    if (instead)
        return `${rawName} is not a flag of the command line: ${instead}`;
    const names = [...specs.map((spec) => spec.name), ...CLI_FLAGS.map((flag) => flag.name)];
    const near = names
        .map((candidate) => ({ candidate, distance: editDistance(name, candidate) }))
        .filter(({ distance }) => distance <= 2)
        .sort((a, b) => a.distance - b.distance)[0];
    return `unknown flag ${rawName}` + (near ? `; did you mean --${near.candidate}?` : '');
}
function example(spec) {
    if (spec.default !== '')
        return spec.default;
    if (spec.name.includes('file'))
        return 'urls.txt';
    return spec.kind === 'list' || spec.name.includes('url') ? 'https://www.example.com/' : '…';
}
/** Levenshtein distance, for "did you mean". */
function editDistance(a, b) {
    let row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        const next = [i];
        for (let j = 1; j <= b.length; j++) {
            const substitution = (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
            next.push(Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, substitution));
        }
        row = next;
    }
    return row[b.length] ?? 0;
}

;// CONCATENATED MODULE: ./src/cli/help.ts
/**
 * `cdn-prefetch --help`: every flag with its default, from action.yml. README shows the same text,
 * generated by `npm run docs`, so the two cannot drift.
 */

const FLAG_COLUMN = 34;
const EXIT_CODES = [
    ['0', 'done: every URL was sent (or planned, in a dry run), or --fail-on let the rest pass'],
    ['1', 'URLs failed, per --fail-on; or the API refused the credentials or a permission'],
    ['2', 'usage or configuration error: a wrong flag or value, no credentials, an unreadable file'],
    ['130', 'interrupted (Ctrl-C); 143 for SIGTERM. What was sent is still reported'],
];
function renderHelp(specs, width = 100) {
    const lines = [
        ...wrap('cdn-prefetch: warm Alibaba Cloud CDN with batched, deduplicated, quota-aware PushObjectCache ' +
            "calls. The same engine as the GitHub Action: its flags are the action's inputs, by the same names.", width),
        '',
        'Usage: cdn-prefetch [flags]    (from a clone: node dist/cli.js [flags])',
        '',
        'Examples:',
        '  cdn-prefetch --dry-run --urls-file urls.txt',
        '  cdn-prefetch --urls https://www.example.com/ --urls https://www.example.com/a/',
        '  ./list-urls.sh | cdn-prefetch --urls-file - --json > report.json',
        '',
        'Flags:',
    ];
    for (const spec of specs)
        lines.push(...entry(usage(spec), describe(spec), width));
    lines.push('', 'Output:');
    for (const flag of CLI_FLAGS)
        lines.push(...entry(flag.usage, flag.description, width));
    lines.push('', ...wrap('Credentials: the environment variables ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, ' +
        'plus ALIBABA_CLOUD_SECURITY_TOKEN with temporary (STS) credentials. They are never flags. ' +
        '--dry-run works without them.', width), '', 'Exit codes:');
    for (const [code, meaning] of EXIT_CODES)
        lines.push(...entry(code, meaning, width, 8));
    return lines.join('\n') + '\n';
}
function usage(spec) {
    if (spec.kind === 'switch')
        return `--${spec.name}, --no-${spec.name}`;
    return `--${spec.name} <${spec.name === 'urls-file' ? 'path|-' : 'value'}>`;
}
function describe(spec) {
    const fallback = spec.default !== '' ? spec.default : spec.kind === 'switch' ? 'not set' : 'none';
    return `${spec.description} (default: ${fallback})`;
}
function entry(left, text, width, column = FLAG_COLUMN) {
    const indent = ' '.repeat(column);
    const body = wrap(text, width - column);
    const first = `  ${left}`;
    if (first.length + 1 <= column) {
        return [first.padEnd(column) + (body[0] ?? ''), ...body.slice(1).map((line) => indent + line)];
    }
    return [first, ...body.map((line) => indent + line)];
}
/** Greedy word wrap; a word longer than the width stands alone on its line. */
function wrap(text, width) {
    const lines = [];
    let line = '';
    for (const word of text.split(/\s+/).filter(Boolean)) {
        if (line !== '' && line.length + 1 + word.length > width) {
            lines.push(line);
            line = word;
        }
        else {
            line = line === '' ? word : `${line} ${word}`;
        }
    }
    if (line !== '')
        lines.push(line);
    return lines;
}

;// CONCATENATED MODULE: ./src/cli/run-cli.ts















/** README's and --help's exit codes; after a signal, the shell's convention: 128 + its number. */
const EXIT = { done: 0, failed: 1, usage: 2, SIGINT: 130, SIGTERM: 143 };
/** Runs the command; resolves to the exit code. */
async function runCli(io) {
    const specs = flagSpecs();
    let flags;
    try {
        flags = parseFlags(io.argv, specs);
    }
    catch (error) {
        if (!(error instanceof UsageError))
            throw error;
        io.stderr.write(`cdn-prefetch: ${error.message}\nRun 'cdn-prefetch --help' for every flag.\n`);
        return EXIT.usage;
    }
    if (flags.help) {
        io.stdout.write(renderHelp(specs, Math.max(60, Math.min(100, io.stderr.columns ?? 100))));
        return EXIT.done;
    }
    if (flags.version) {
        io.stdout.write(`${io.version}\n`);
        return EXIT.done;
    }
    // Credentials from the environment only: readCredentials with no inputs falls back to ALIBABA_CLOUD_*.
    const credentials = readCredentials(() => '', io.env);
    // In every spelling (base/redact.ts): the keys, the STS token, the proxy's password.
    const redact = createRedactor([...Object.values(credentials), ...proxySecrets(io.env)]);
    const logger = new ConsoleLogger(io.stderr, {
        tty: io.stderr.isTTY === true && io.env['TERM'] !== 'dumb',
        verbose: flags.verbose,
        redact,
    });
    try {
        const config = await cliConfig(flags, io, credentials);
        for (const message of config.messages)
            logger[message.level](message.text);
        return await execute(config, flags, io, logger, redact);
    }
    catch (error) {
        logger.close();
        const message = redact(errorMessage(error));
        if (error instanceof ConfigError) {
            io.stderr.write(`Configuration error: ${message}${cliHint(error)}\n`);
            return EXIT.usage;
        }
        io.stderr.write(`Error: ${message}\n`);
        return EXIT.failed;
    }
}
async function execute(config, flags, io, logger, redact) {
    const stop = new RunStop();
    const signals = stopOnSignals(stop, (message) => logger.warning(message));
    let result;
    try {
        result = await runPrefetch(config, { logger, stop });
    }
    finally {
        signals.dispose();
        logger.close();
    }
    io.stdout.write(flags.json ? reportJson(result, redact) : redact(renderClosing(result)));
    const failure = verdict(result, config.failOn);
    // The action points at its job summary; here the list is just above.
    if (failure)
        io.stderr.write(`${redact(failure.listed ? `${failure.reason}.` : failure.reason)}\n`);
    if (signals.received === 'SIGINT' || signals.received === 'SIGTERM')
        return EXIT[signals.received];
    return failure ? EXIT.failed : EXIT.done;
}
/** The flags as action inputs (the spec's defaults for the rest), through the action's own parser. */
async function cliConfig(flags, io, credentials) {
    const fromStdin = flags.inputs['urls-file']?.trim() === '-';
    // Inputs that are not flags (secrets, GitHub-only) read as unset.
    const input = (name) => flags.inputs[name] ?? '';
    // Relative paths are relative to where the command runs, whatever a surrounding CI job says.
    const env = { ...io.env, GITHUB_WORKSPACE: io.cwd };
    const config = parseConfig(input, env, credentials, { urlsFromStdin: fromStdin });
    if (!fromStdin)
        return config;
    if (io.stdin.isTTY)
        io.stderr.write('Reading URLs from standard input, one per line; end with Ctrl-D.\n');
    return { ...config, cli: { urlsFileStdin: await readAll(io.stdin) } };
}
function readAll(stream) {
    return new Promise((resolve, reject) => {
        const chunks = [];
        stream.on('data', (chunk) => chunks.push(Buffer.from(chunk)));
        stream.on('end', () => resolve(Buffer.concat(chunks)
            .toString('utf8')
            .replace(/^\uFEFF/, '')));
        stream.on('error', reject);
    });
}
/** The inputs that hold an AccessKey: secrets with an ALIBABA_CLOUD_* variable to fall back to. */
const ACCESS_KEY_INPUTS = new Set(INPUT_NAMES.filter((name) => INPUTS[name].kind === 'secret' && INPUTS[name].env));
/**
 * The action's messages about credentials speak of inputs, which are no flags here: when an error is
 * about an input that holds the AccessKey, say what that means on the command line.
 */
function cliHint(error) {
    if (!configErrorsOf(error).some((each) => ACCESS_KEY_INPUTS.has(each.input ?? '')))
        return '';
    return (`\nOn the command line: export ${INPUTS['access-key-id'].env} and ${INPUTS['access-key-secret'].env} ` +
        `(and ${INPUTS['security-token'].env} with STS credentials), or plan without them with --dry-run.`);
}

;// CONCATENATED MODULE: ./src/runtime/exit.ts
/**
 * The last resort against a hang. Every request, timer and retry of a run ends with it (tests hold
 * that no handle is left), so the process exits by itself once the adapter has written everything.
 * Should something still hold it open — a socket inside a library out of our reach — it exits anyway
 * after `graceMs`, naming what was left: on a runner, a hang burns the job's six hours.
 */
function exitWhenIdle(graceMs, warn) {
    const timer = setTimeout(() => {
        const open = process
            .getActiveResourcesInfo()
            .filter((resource) => resource !== 'Timeout' && resource !== 'TTYWrap');
        warn(`cdn-prefetch: still running ${graceMs / 1000} s after the run ended (open: ${open.join(', ') || 'nothing known'}); exiting.`);
        process.exit();
    }, graceMs);
    // Never the reason the process stays: a clean run exits at once.
    timer.unref();
}

;// CONCATENATED MODULE: ./src/cli.ts
/**
 * `cdn-prefetch`: the command line, bundled to dist/cli.js. All the work is in cli/run-cli.ts.
 */



// `cdn-prefetch --json | head`: a reader that stops early is not the run's failure.
process.stdout.on('error', (error) => {
    if (error.code !== 'EPIPE')
        throw error;
});
void runCli({
    argv: process.argv.slice(2),
    env: process.env,
    cwd: process.cwd(),
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    version: package_namespaceObject.rE,
}).then((code) => {
    process.exitCode = code;
    // Everything is written: the process ends by itself, or at the latest 2 s later (runtime/exit.ts).
    exitWhenIdle(2_000, (message) => process.stderr.write(`${message}\n`));
});

